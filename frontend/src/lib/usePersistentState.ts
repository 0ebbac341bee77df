import { useEffect, useRef, useState, type Dispatch, type SetStateAction } from 'react';

import { load, save } from './storage';

/** useState backed by localStorage; writes are debounced so typing stays cheap. */
export function usePersistentState<T>(
  key: string,
  fallback: T,
  isValid: (v: unknown) => v is T,
  { debounceMs = 300, enabled = true }: { debounceMs?: number; enabled?: boolean } = {},
): [T, Dispatch<SetStateAction<T>>] {
  const [value, setValue] = useState<T>(() => load(key, fallback, isValid));
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return undefined;
    }
    if (!enabled) return undefined;
    const timer = window.setTimeout(() => save(key, value), debounceMs);
    return () => window.clearTimeout(timer);
  }, [key, value, debounceMs, enabled]);
  return [value, setValue];
}
