// Share: saving a finished run as it ended (POST /api/v1/code/shares), failing or not, without
// running it again. The server signs every result (its `receipt`) over the code, the input the
// program was given and the verdict; a share sends exactly those back.
import type { ExecutionResult, ShareRequest, Visibility } from '../../api/types';

/**
 * What a run was given: the editor's code and stdin box when it started, and the text sent to its
 * stdin while it ran (a live run with an empty box: one chunk per typed line, in order).
 */
export interface RunOrigin {
  code: string;
  stdin: string;
  typed: readonly string[];
}

/** The part of the output panel's view a share looks at. */
export interface ShareableView {
  result: ExecutionResult;
  /** Set once the run is saved (shared, or opened from its permalink): its id. */
  savedId: string | null;
  /** Who may read it once saved (absent: unlisted, as every save without an account is). */
  visibility?: Visibility;
  /** What the run was given; null when it cannot be shared as it is (the server refused its receipt). */
  origin: RunOrigin | null;
}

/** A finished run the server vouches for: its receipt is the result's. */
export interface FinishedRun {
  result: ExecutionResult;
  origin: RunOrigin;
}

export type SharePlan =
  /** The run in view is already saved: its permalink, at once, no request. */
  | { kind: 'show'; id: string }
  /** The run in view is of the code and stdin in the editor: send it, no new run. */
  | { kind: 'share'; run: FinishedRun }
  /** Nothing in view is a run of what the editor holds: run it first (as Run does), then share that. */
  | { kind: 'run' };

/** Whether the view shows a finished run of exactly this code and stdin box. */
function isRunOf(view: ShareableView, code: string, stdin: string): view is ShareableView & { origin: RunOrigin } {
  return view.origin !== null && view.origin.code === code && view.origin.stdin === stdin;
}

/**
 * What Share does with what is in view and what the editor holds, to be saved as `visibility`. A run
 * saved with the other visibility is saved again (a private copy of an unlisted one, or the other
 * way round): the saved one keeps who may read it.
 */
export function planShare(view: ShareableView | null, code: string, stdin: string, visibility: Visibility = 'unlisted'): SharePlan {
  if (!view || !isRunOf(view, code, stdin)) return { kind: 'run' };
  if (view.savedId !== null && (view.visibility ?? 'unlisted') === visibility) return { kind: 'show', id: view.savedId };
  if (typeof view.result.receipt === 'string' && view.result.receipt !== '') {
    return { kind: 'share', run: { result: view.result, origin: view.origin } };
  }
  return { kind: 'run' };
}

/** All the input the program was given: the box's text, then every chunk sent while it ran. */
export function givenStdin(origin: RunOrigin): string {
  return origin.stdin + origin.typed.join('');
}

/**
 * How many of the last typed chunks a share may leave out when the server refuses the receipt:
 * a line sent just as the program ended can reach the server after it signed the result (and
 * was then never read). Only the last ones can be missing, in order.
 */
export const MAX_LATE_CHUNKS = 2;

/**
 * The share requests to try, in order: the run with all its input, then (a live run with typed
 * lines) without its last one or two chunks, in case they arrived after the run ended.
 */
export function shareRequests(run: FinishedRun, visibility: Visibility = 'unlisted'): ShareRequest[] {
  const { result, origin } = run;
  const receipt = result.receipt ?? '';
  const dropped = Math.min(MAX_LATE_CHUNKS, origin.typed.length);
  return Array.from({ length: dropped + 1 }, (_, late) => ({
    code: origin.code,
    stdin: givenStdin({ ...origin, typed: origin.typed.slice(0, origin.typed.length - late) }),
    result,
    receipt,
    visibility,
  }));
}
