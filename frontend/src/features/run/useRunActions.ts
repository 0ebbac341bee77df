import { useCallback, type RefObject } from 'react';

import type { Visibility } from '../../api/types';
import type { Draft } from '../examples/draftRestore';
import { revealIfOutOfView } from '../output/reveal';
import type { Runner, Shared } from './useRunner';

interface Options extends Draft {
  /** The output's top: Run brings it into view where it is out of sight. */
  output: RefObject<HTMLElement | null>;
  /** A Share saved the run: its permalink. */
  onShared: (shared: Shared) => void;
  /** Who may read what Share saves. */
  visibility: Visibility;
}

export interface RunActions {
  /** A run is going: Run is Stop. */
  running: boolean;
  /** A run or a Share is under way: Run and Share do nothing until it ends. */
  busy: boolean;
  run: () => void;
  share: () => void;
}

/** Run and Share (buttons, keys, the editor's commands) on the editor's code and input. */
export function useRunActions(runner: Pick<Runner, 'busy' | 'sharing' | 'run' | 'share'>, options: Options): RunActions {
  const { code, stdin, output, onShared, visibility } = options;
  // Between a Share's run and the share itself nothing is busy for a moment: still no new action.
  const busy = runner.busy === 'run' || runner.busy === 'share' || runner.sharing;
  const { run: runCode, share: shareCode } = runner;

  const run = useCallback(() => {
    if (busy) return;
    void runCode(code, stdin);
    // On a phone the output is under the editor and the input: bring it up (once the run shows).
    requestAnimationFrame(() => revealIfOutOfView(output.current));
  }, [busy, runCode, code, stdin, output]);

  // Share: the run in view if it is of this code and input (no new run), else run first, then share.
  // While a run goes Share is disabled: it would share a run the person has not seen end.
  const share = useCallback(() => {
    if (busy) return;
    void shareCode(code, stdin, visibility).then((shared) => {
      if (shared) onShared(shared);
    });
  }, [busy, shareCode, code, stdin, visibility, onShared]);

  return { running: runner.busy === 'run', busy, run, share };
}
