import { act, renderHook } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { TOUCH_SCREEN_QUERY, useMediaQuery, useTouchScreen } from './useMediaQuery';

/** A matchMedia whose queries match as `matching` says, and that tells listeners when it changes. */
function fakeMatchMedia(matching: Set<string>) {
  const listeners = new Map<string, Set<() => void>>();
  const matchMedia = vi.fn((query: string) => ({
    get matches() {
      return matching.has(query);
    },
    media: query,
    addEventListener: (_: 'change', fn: () => void) => {
      if (!listeners.has(query)) listeners.set(query, new Set());
      listeners.get(query)?.add(fn);
    },
    removeEventListener: (_: 'change', fn: () => void) => listeners.get(query)?.delete(fn),
  }));
  Object.defineProperty(window, 'matchMedia', { value: matchMedia, configurable: true, writable: true });
  return {
    set(query: string, on: boolean) {
      if (on) matching.add(query);
      else matching.delete(query);
      listeners.get(query)?.forEach((fn) => fn());
    },
    listenerCount: (query: string) => listeners.get(query)?.size ?? 0,
  };
}

afterEach(() => {
  Reflect.deleteProperty(window, 'matchMedia');
});

describe('useMediaQuery', () => {
  it('is false where matchMedia is missing (old browsers, jsdom)', () => {
    Reflect.deleteProperty(window, 'matchMedia');
    const { result } = renderHook(() => useMediaQuery('(min-width: 1px)'));
    expect(result.current).toBe(false);
  });

  it('follows the query as it starts and stops matching, and stops listening when unmounted', () => {
    const media = fakeMatchMedia(new Set(['(max-width: 600px)']));
    const { result, unmount } = renderHook(() => useMediaQuery('(max-width: 600px)'));
    expect(result.current).toBe(true);
    act(() => media.set('(max-width: 600px)', false));
    expect(result.current).toBe(false);
    act(() => media.set('(max-width: 600px)', true));
    expect(result.current).toBe(true);
    unmount();
    expect(media.listenerCount('(max-width: 600px)')).toBe(0);
  });
});

describe('useTouchScreen', () => {
  it('asks for a primary pointer that cannot hover and is coarse', () => {
    expect(TOUCH_SCREEN_QUERY).toBe('(hover: none) and (pointer: coarse)');
    fakeMatchMedia(new Set([TOUCH_SCREEN_QUERY]));
    expect(renderHook(() => useTouchScreen()).result.current).toBe(true);
  });

  it('is false with a mouse or a touchpad', () => {
    fakeMatchMedia(new Set(['(hover: hover)']));
    expect(renderHook(() => useTouchScreen()).result.current).toBe(false);
  });
});
