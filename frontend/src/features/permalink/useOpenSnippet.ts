import { useCallback, useState } from 'react';

import type { Draft } from '../examples/draftRestore';
import { currentRoute, snippetPath, type Route } from './route';

/** A saved snippet open unchanged in the editor; the first edit turns it back into the draft. */
export interface OpenSnippet extends Draft {
  id: string;
}

export interface OpenSnippetState {
  /** The snippet open unchanged in the editor: the address bar and the share bar show its permalink. */
  snippet: OpenSnippet | null;
  /** A snippet is open, or on its way: the editor does not hold the draft. */
  viewing: boolean;
  /** A snippet's permalink is being opened (the snippet open until now stays until it arrives). */
  opening: () => void;
  opened: (snippet: OpenSnippet) => void;
  /** Back at the draft: at `/`, or the snippet could not be opened. */
  closed: () => void;
  /** The run in the editor was just saved: it is open, at its permalink. */
  shared: (snippet: OpenSnippet) => void;
  /** The code or the input changed to `value`: a snippet changed is the draft now. */
  edited: (field: keyof Draft, value: string) => void;
  /** The snippet was edited or replaced: the address bar then names the draft, not the saved run. */
  leave: () => void;
  /**
   * The saved run `id` was deleted: if the editor holds it (or the address bar names it), what the
   * editor holds is the draft now, at `/` (its permalink, a 404 from now on, leaves the history).
   */
  removed: (id: string) => void;
}

/** Which saved snippet the editor holds, as the address bar names it: `/s/{id}`, or `/` for the draft. */
export function useOpenSnippet(initialRoute: Route): OpenSnippetState {
  const [snippet, setSnippet] = useState<OpenSnippet | null>(null);
  const [loading, setLoading] = useState(initialRoute.kind === 'snippet');

  const opening = useCallback(() => setLoading(true), []);
  const opened = useCallback((open: OpenSnippet) => {
    setLoading(false);
    setSnippet(open);
  }, []);
  const closed = useCallback(() => {
    setSnippet(null);
    setLoading(false);
  }, []);

  const shared = useCallback((saved: OpenSnippet) => {
    setSnippet(saved);
    const path = snippetPath(saved.id);
    if (window.location.pathname !== path) window.history.pushState(null, '', path);
  }, []);

  const leave = useCallback(() => {
    if (!snippet && !loading) return;
    setSnippet(null);
    setLoading(false);
    if (window.location.pathname !== '/') window.history.pushState(null, '', '/');
  }, [snippet, loading]);

  const edited = useCallback(
    (field: keyof Draft, value: string) => {
      if (snippet && value !== snippet[field]) leave();
    },
    [snippet, leave],
  );

  const removed = useCallback((id: string) => {
    setSnippet((open) => (open?.id === id ? null : open));
    const route = currentRoute();
    if (route.kind !== 'snippet' || route.id !== id) return;
    setLoading(false);
    window.history.replaceState(null, '', '/');
  }, []);

  return { snippet, viewing: snippet !== null || loading, opening, opened, closed, shared, edited, leave, removed };
}
