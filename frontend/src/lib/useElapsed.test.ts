import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { useElapsed } from './useElapsed';

beforeEach(() => {
  vi.useFakeTimers();
  vi.setSystemTime(10_000);
});
afterEach(() => vi.useRealTimers());

describe('useElapsed', () => {
  it('counts from the start in tenths of a second, with one timer', () => {
    let renders = 0;
    const hook = renderHook(
      ({ since }) => {
        renders += 1;
        return useElapsed(since);
      },
      { initialProps: { since: 10_000 } },
    );
    expect(hook.result.current).toBe(0);
    expect(vi.getTimerCount()).toBe(1);
    act(() => void vi.advanceTimersByTime(3_450));
    expect(hook.result.current).toBe(3_400);
    const before = renders;
    act(() => void vi.advanceTimersByTime(1_000));
    expect(hook.result.current).toBe(4_400);
    // One render a tick at most: ten a second, only for the caller.
    expect(renders - before).toBeLessThanOrEqual(10);
  });

  it('counts from a start in the past, and stops without one', () => {
    const hook = renderHook<number | null, { since: number | null }>(({ since }) => useElapsed(since), { initialProps: { since: 7_500 } });
    expect(hook.result.current).toBe(2_500);
    hook.rerender({ since: null });
    expect(hook.result.current).toBeNull();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('stops its timer on unmount', () => {
    const hook = renderHook(() => useElapsed(10_000));
    expect(vi.getTimerCount()).toBe(1);
    hook.unmount();
    expect(vi.getTimerCount()).toBe(0);
  });
});
