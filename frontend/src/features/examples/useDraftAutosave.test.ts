import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Draft } from './draftRestore';
import { useDraftAutosave } from './useDraftAutosave';

const saved = () => [localStorage.getItem('execbox:code'), localStorage.getItem('execbox:stdin')];

function autosave(initial: Draft, paused = false) {
  return renderHook(({ draft, paused }) => useDraftAutosave(draft, paused), { initialProps: { draft: initial, paused } });
}

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('useDraftAutosave', () => {
  it('saves the code and input 300 ms after the last change', () => {
    const hook = autosave({ code: 'a', stdin: '' });
    act(() => void vi.advanceTimersByTime(200));
    hook.rerender({ draft: { code: 'ab', stdin: 'in' }, paused: false });
    act(() => void vi.advanceTimersByTime(299));
    expect(saved()).toEqual([null, null]);
    act(() => void vi.advanceTimersByTime(1));
    expect(saved()).toEqual(['"ab"', '"in"']);
  });

  it('saves nothing while paused', () => {
    autosave({ code: 'an example', stdin: '' }, true);
    act(() => void vi.advanceTimersByTime(1_000));
    expect(saved()).toEqual([null, null]);
  });

  it('saves what is waiting at once when flushed, or when the page goes away', () => {
    const hook = autosave({ code: 'typed', stdin: '' });
    act(() => hook.result.current());
    expect(saved()).toEqual(['"typed"', '""']);

    hook.rerender({ draft: { code: 'typed more', stdin: '' }, paused: false });
    act(() => {
      window.dispatchEvent(new Event('pagehide'));
    });
    expect(saved()).toEqual(['"typed more"', '""']);
  });

  it('keeps the draft typed before a pause waiting, for the next flush', () => {
    const hook = autosave({ code: 'mine', stdin: '' });
    hook.rerender({ draft: { code: 'a snippet', stdin: '' }, paused: true });
    act(() => void vi.advanceTimersByTime(1_000));
    expect(saved()).toEqual([null, null]);
    act(() => hook.result.current());
    expect(saved()).toEqual(['"mine"', '""']);
  });
});
