import { useCallback, useSyncExternalStore } from 'react';

/**
 * The primary pointer is a finger (a phone, a tablet): it cannot hover and is coarse. A laptop
 * with a touch screen and a touchpad does not match (its primary pointer hovers).
 */
export const TOUCH_SCREEN_QUERY = '(hover: none) and (pointer: coarse)';

function matches(query: string): boolean {
  return typeof window !== 'undefined' && typeof window.matchMedia === 'function' && window.matchMedia(query).matches;
}

/** Whether a CSS media query matches, re-rendering when that changes; false where matchMedia is missing. */
export function useMediaQuery(query: string): boolean {
  const subscribe = useCallback(
    (onChange: () => void) => {
      if (typeof window.matchMedia !== 'function') return () => {};
      const list = window.matchMedia(query);
      list.addEventListener('change', onChange);
      return () => list.removeEventListener('change', onChange);
    },
    [query],
  );
  return useSyncExternalStore(
    subscribe,
    () => matches(query),
    () => false,
  );
}

/** A touch screen is the main input: keyboard shortcut hints are hidden, the virtual keyboard is not opened unasked. */
export function useTouchScreen(): boolean {
  return useMediaQuery(TOUCH_SCREEN_QUERY);
}
