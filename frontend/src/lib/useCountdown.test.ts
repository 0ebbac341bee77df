import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { useCountdown } from './useCountdown';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(100_000);
});
afterEach(() => vi.useRealTimers());

describe('useCountdown', () => {
  it('counts the seconds left down to zero, then stops its timer', () => {
    const hook = renderHook(() => useCountdown(103_000));
    expect(hook.result.current).toBe(3);
    act(() => void vi.advanceTimersByTime(1_000));
    expect(hook.result.current).toBe(2);
    act(() => void vi.advanceTimersByTime(2_500));
    expect(hook.result.current).toBe(0);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('is null without a deadline', () => {
    expect(renderHook(() => useCountdown(null)).result.current).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('counts a deadline that comes later from then, at its first render', () => {
    const seen: (number | null)[] = [];
    const hook = renderHook(
      ({ deadline }) => {
        const left = useCountdown(deadline);
        seen.push(left);
        return left;
      },
      { initialProps: { deadline: null as number | null } },
    );
    // Long after the first render (no tick since), a deadline 42 s from now.
    vi.setSystemTime(160_000);
    hook.rerender({ deadline: 202_000 });
    expect(hook.result.current).toBe(42);
    // Never a number counted from the first render's time (102 s).
    expect(new Set(seen.filter((left) => left !== null))).toEqual(new Set([42]));
  });
});
