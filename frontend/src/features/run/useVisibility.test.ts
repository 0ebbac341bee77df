import { act, renderHook } from '@testing-library/react';
import { describe, expect, it } from 'vitest';

import { useVisibility } from './useVisibility';

const stored = () => localStorage.getItem('execbox:visibility');

describe('useVisibility', () => {
  it('is unlisted at first, and remembers the choice across reloads', async () => {
    const first = renderHook(() => useVisibility(true));
    expect(first.result.current[0]).toBe('unlisted');
    act(() => first.result.current[1]('private'));
    expect(first.result.current[0]).toBe('private');
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(stored()).toBe('"private"');
    first.unmount();
    expect(renderHook(() => useVisibility(true)).result.current[0]).toBe('private');
  });

  it('is unlisted while signed out, keeping a private choice for the next sign-in', async () => {
    localStorage.setItem('execbox:visibility', '"private"');
    const hook = renderHook(({ signedIn }) => useVisibility(signedIn), { initialProps: { signedIn: false } });
    expect(hook.result.current[0]).toBe('unlisted');
    await act(() => new Promise((resolve) => setTimeout(resolve, 0)));
    expect(stored()).toBe('"private"');
    hook.rerender({ signedIn: true });
    expect(hook.result.current[0]).toBe('private');
  });

  it('ignores a stored value it does not know', () => {
    localStorage.setItem('execbox:visibility', '"public"');
    expect(renderHook(() => useVisibility(true)).result.current[0]).toBe('unlisted');
  });
});
