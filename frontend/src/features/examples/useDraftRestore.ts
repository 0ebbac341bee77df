import { useCallback, useEffect, useState } from 'react';

import { afterChange, pickExample, type Draft, type ExampleOverDraft } from './draftRestore';
import type { Example } from './examples';

export interface DraftRestore {
  /** The example in the editor, unchanged, and the draft it replaced; null when there is nothing to go back to. */
  shown: ExampleOverDraft | null;
  /** Notes an example picked over `current` (call it with the code and input it replaces). */
  picked: (example: Example, current: Draft) => void;
  /** Ends the offer and gives the draft to put back. */
  restore: () => Draft | null;
  /** Ends the offer: the example stays, as the draft. */
  dismiss: () => void;
}

/** "Back to your draft" after an example replaced it; the first change of the code or input ends it. */
export function useDraftRestore(current: Draft): DraftRestore {
  const [shown, setShown] = useState<ExampleOverDraft | null>(null);
  const { code, stdin } = current;

  useEffect(() => {
    setShown((s) => afterChange(s, { code, stdin }));
  }, [code, stdin]);

  const picked = useCallback((example: Example, over: Draft) => setShown((s) => pickExample(s, example, over)), []);
  const restore = useCallback(() => {
    const draft = shown?.draft ?? null;
    setShown(null);
    return draft;
  }, [shown]);
  const dismiss = useCallback(() => setShown(null), []);

  return { shown, picked, restore, dismiss };
}
