import { useCallback, useEffect, useRef } from 'react';

import type { Submission } from '../../api/types';
import type { Draft } from '../examples/draftRestore';
import { loadDraft } from '../examples/savedDraft';
import { currentRoute, snippetPath, type Route } from './route';
import type { OpenSnippetState } from './useOpenSnippet';

interface Options {
  /** Where the page was opened: a snippet's permalink is opened at once. */
  initialRoute: Route;
  snippet: Pick<OpenSnippetState, 'opening' | 'opened' | 'closed'>;
  /** Shows a saved run in the output: its submission, or null when it could not (the problem banner says why). */
  load: (id: string) => Promise<Submission | null>;
  /** Puts code and input in the editor. */
  show: (draft: Draft) => void;
  /** Called before a snippet replaces the draft in the editor, so that its last keystrokes are saved. */
  leavingDraft: () => void;
}

/**
 * Opens the permalink the page was opened at, and follows Back and Forward: a snippet's route
 * shows its saved run (code, input and output), `/` the person's draft. Answers a function that
 * opens a saved run by its id (as following its permalink would, with a history entry).
 */
export function usePermalinkNavigation({ initialRoute, snippet, load, show, leavingDraft }: Options): (id: string) => void {
  const { opening, opened, closed } = snippet;
  // Only the latest navigation may apply its result (back/forward can overlap loads).
  const navigation = useRef(0);
  const openRoute = useCallback(
    (route: Route) => {
      const seq = ++navigation.current;
      const showDraft = () => {
        closed();
        show(loadDraft());
      };
      if (route.kind === 'home') {
        showDraft();
        return;
      }
      leavingDraft();
      opening();
      void load(route.id).then((submission) => {
        if (seq !== navigation.current) return;
        if (!submission) {
          // The problem banner says why; the editor gets the person's draft back.
          showDraft();
          return;
        }
        const { id, code, stdin } = submission;
        opened({ id, code, stdin });
        show({ code, stdin });
      });
    },
    [load, leavingDraft, opening, opened, closed, show],
  );

  useEffect(() => {
    if (initialRoute.kind === 'snippet') openRoute(initialRoute);
    const onPop = () => openRoute(currentRoute());
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [initialRoute, openRoute]);

  return useCallback(
    (id: string) => {
      const path = snippetPath(id);
      if (window.location.pathname !== path) window.history.pushState(null, '', path);
      openRoute({ kind: 'snippet', id });
    },
    [openRoute],
  );
}
