import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { useDebouncedValue } from './useDebouncedValue';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('useDebouncedValue', () => {
  it('answers a value once it has stayed the same for the delay, skipping those in between', () => {
    const hook = renderHook(({ value }) => useDebouncedValue(value, 300), { initialProps: { value: '' } });
    hook.rerender({ value: 'n' });
    act(() => void vi.advanceTimersByTime(200));
    hook.rerender({ value: 'nu' });
    act(() => void vi.advanceTimersByTime(299));
    expect(hook.result.current).toBe('');
    act(() => void vi.advanceTimersByTime(1));
    expect(hook.result.current).toBe('nu');
    expect(vi.getTimerCount()).toBe(0);
  });
});
