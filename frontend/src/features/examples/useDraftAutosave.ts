import { useCallback, useEffect, useRef } from 'react';

import type { Draft } from './draftRestore';
import { saveDraft } from './savedDraft';

/** How long after the last change the draft is saved: typing stays cheap. */
const SAVE_DELAY_MS = 300;

/**
 * Saves the code and input shortly after each change, but not while `paused`: opening a saved
 * snippet or trying an example must not overwrite the person's own work. Returns `flush`, which
 * saves at once what is still waiting (call it before something else replaces the draft).
 */
export function useDraftAutosave({ code, stdin }: Draft, paused: boolean): () => void {
  const pending = useRef<Draft | null>(null);
  const flush = useCallback(() => {
    if (!pending.current) return;
    saveDraft(pending.current);
    pending.current = null;
  }, []);

  useEffect(() => {
    if (paused) return undefined;
    pending.current = { code, stdin };
    const timer = window.setTimeout(flush, SAVE_DELAY_MS);
    return () => window.clearTimeout(timer);
  }, [code, stdin, paused, flush]);

  // Closing the tab (or following a link) right after typing must not lose the last keystrokes.
  useEffect(() => {
    window.addEventListener('pagehide', flush);
    return () => window.removeEventListener('pagehide', flush);
  }, [flush]);

  return flush;
}
