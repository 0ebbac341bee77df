// What the output panel shows of runs, shares and loads, as a pure reducer: useRunner turns what
// the stream, the HTTP calls and the person do into the actions below, one run at a time.
import type { ApiProblem, ProblemAction } from '../../api/errors';
import type { QueueReason } from '../../api/stream';
import type { ExecutionResult, Submission, Visibility } from '../../api/types';
import type { FinishedRun, ShareableView } from './share';
import { appendSegment, finalTranscript, type Segment } from './transcript';

/** `share`: a finished run is being sent to POST /shares (a Share that had to run first is `run` until then). */
export type Busy = 'run' | 'share' | 'load' | null;

/** What the output panel shows: the last result (of a run, or of a permalink). */
export interface ResultView extends ShareableView {
  source: 'run' | 'permalink';
  /** A permalink's id, or a run's once it is shared (null until then). */
  savedId: string | null;
  createdAt?: string;
  /** A live run's stdout with the lines the person typed in place (only when they typed some). */
  transcript?: Segment[];
}

export interface ProblemView {
  problem: ApiProblem;
  /** When the problem arrived (epoch ms): the base of the Retry-After countdown. */
  at: number;
  /** What failed (default: a run): a share's refusals are worded for it. */
  action?: ProblemAction;
}

/** Where a run that waits for its turn is in the server's line, as the stream last said. */
export interface QueueView {
  /** How many runs start before this one (0: it is next). */
  position: number;
  /** Every sandbox is busy (`server_full`), or this client's other runs hold its share (`client_share`); null: unknown. */
  reason: QueueReason | null;
}

/** The run in progress (or the one that just ended without a result): its output so far. */
export interface LiveView {
  /** `stream`: the WebSocket carries it (live output, input, Stop); `http`: the fallback, one request. */
  transport: 'stream' | 'http';
  /**
   * `connecting` until the server accepts the run, `queued` while it waits for its turn, `running`
   * while it runs, `over` once it ended without a result.
   */
  phase: 'connecting' | 'queued' | 'running' | 'over';
  /** While `queued`: its place in the line (null otherwise). */
  queue: QueueView | null;
  stdout: Segment[];
  stderr: string;
  /**
   * `typed`: the stdin box was empty, so the program's stdin stays open for lines typed while it
   * runs. `given`: the box's text is the whole input, closed once the run starts, as over HTTP
   * (so a run reads what a saved run of the same code and input reads).
   */
  input: 'typed' | 'given';
  /** Whether the program's stdin still takes lines (until the person closes it). */
  stdinOpen: boolean;
  /** The program is blocked reading its stdin, as the stream last said (the result ends it). */
  waiting: boolean;
  /** When the run started running (epoch ms; the stream's `started`, or the HTTP request): null before. */
  runningSince: number | null;
  /** Stop was asked for; the result is on its way. */
  stopping: boolean;
  /** The person stopped the run before the server could (HTTP fallback, or before it started). */
  cancelled: boolean;
}

export interface RunnerState {
  busy: Busy;
  view: ResultView | null;
  problem: ProblemView | null;
  live: LiveView | null;
  /** A Share is under way: running the code first (busy `run`), or sending the run (busy `share`). */
  sharing: boolean;
}

export const initialRunState: RunnerState = { busy: null, view: null, problem: null, live: null, sharing: false };

/** What happens to the run in progress: ignored when no run is live (none began, or it ended). */
export type LiveAction =
  /** The run waits for its turn, at this place in the line. */
  | { type: 'queued'; queue: QueueView }
  /** The server started the run (the stream's `started`). */
  | { type: 'started'; at: number }
  /** The stream could not carry the run: it went to POST /execute, as one request. */
  | { type: 'fellBackToHttp'; at: number }
  /** Output the program printed since the last one. */
  | { type: 'output'; stdout: string; stderr: string }
  /** A line the person typed went to the program's stdin: it is echoed in its output. */
  | { type: 'lineSent'; line: string }
  /** The program started (or stopped) being blocked reading its stdin. */
  | { type: 'waitingForInput'; waiting: boolean }
  /** The person closed the program's stdin. */
  | { type: 'inputClosed' }
  /** Stop was sent; the result (status `stopped`) is on its way. */
  | { type: 'stopAsked' };

/** A run, share or load begins (in place of the one before, if any): the last problem goes. */
export type BeginAction =
  /** Run, or the run a Share needs first: the stream is connecting. */
  | { type: 'runBegan'; stdin: string; sharing: boolean }
  /** A finished run is on its way to POST /shares. */
  | { type: 'shareBegan' }
  /** A permalink's saved run is being fetched. */
  | { type: 'loadBegan' };

export type RunAction =
  | BeginAction
  | LiveAction
  /** The run's result arrived. */
  | { type: 'finished'; run: FinishedRun }
  /** The run was stopped before it had a result: nothing ran, or the page stopped waiting for it. */
  | { type: 'cancelled' }
  /** A run, share or load failed (refused, or the connection broke). */
  | { type: 'failed'; problem: ApiProblem; at: number }
  /** The server saved the run with this result under `id`, readable as `visibility` says. */
  | { type: 'shared'; result: ExecutionResult; id: string; visibility: Visibility }
  /** The server will not take this run's receipt again: the next Share runs the code anew. */
  | { type: 'receiptRefused'; result: ExecutionResult }
  /** A permalink's saved run, with its verdict. */
  | { type: 'loaded'; submission: Submission; result: ExecutionResult }
  /** The saved run `id` was deleted: the run in view, if it is that one, is saved no more. */
  | { type: 'deleted'; id: string };

/** Whether a live run has printed anything yet. */
export const hasLiveOutput = (live: LiveView): boolean => live.stdout.length > 0 || live.stderr !== '';

function newLive(stdin: string): LiveView {
  const input = stdin === '' ? 'typed' : 'given';
  return {
    transport: 'stream',
    phase: 'connecting',
    queue: null,
    stdout: [],
    stderr: '',
    input,
    stdinOpen: input === 'typed',
    waiting: false,
    runningSince: null,
    stopping: false,
    cancelled: false,
  };
}

/**
 * Whether a failure leaves the last result in view, under the banner: a run the rate limit or a
 * full (or unavailable) server refused never started, so nothing replaced it; a share that failed
 * keeps the run it tried to share, whatever the failure. A failed load clears it: the editor then
 * shows the draft, not the program that result came from.
 */
function keepsLastResult(busy: Busy, problem: ApiProblem): boolean {
  if (busy === 'share') return true;
  return (problem.kind === 'rate-limited' || problem.kind === 'client-share' || problem.kind === 'unavailable') && busy !== 'load';
}

/** The live run after `action`; the same object when the action does not change it. */
function liveReducer(live: LiveView, action: LiveAction): LiveView {
  switch (action.type) {
    case 'queued':
      return { ...live, phase: 'queued', queue: action.queue };
    case 'started':
      // The clock starts now, not while the run waited for its turn.
      return { ...live, phase: 'running', queue: null, runningSince: action.at };
    case 'fellBackToHttp':
      return { ...live, transport: 'http', phase: 'running', runningSince: action.at };
    case 'output':
      return { ...live, stdout: appendSegment(live.stdout, 'out', action.stdout), stderr: live.stderr + action.stderr };
    case 'lineSent':
      return { ...live, stdout: appendSegment(live.stdout, 'in', `${action.line}\n`) };
    case 'waitingForInput':
      return live.waiting === action.waiting ? live : { ...live, waiting: action.waiting };
    case 'inputClosed':
      // Its next read gets end of file at once: nothing to wait for any more.
      return { ...live, stdinOpen: false, waiting: false };
    case 'stopAsked':
      return { ...live, stopping: true };
  }
}

/** The state after `action`: the same object when the action changes nothing (React then skips the render). */
export function runReducer(state: RunnerState, action: RunAction): RunnerState {
  switch (action.type) {
    case 'runBegan':
      return { ...state, busy: 'run', problem: null, live: newLive(action.stdin), sharing: action.sharing };
    case 'shareBegan':
      return { ...state, busy: 'share', problem: null, live: null, sharing: true };
    case 'loadBegan':
      return { ...state, busy: 'load', problem: null, live: null, sharing: false };
    case 'queued':
    case 'started':
    case 'fellBackToHttp':
    case 'output':
    case 'lineSent':
    case 'waitingForInput':
    case 'inputClosed':
    case 'stopAsked': {
      if (!state.live) return state;
      const live = liveReducer(state.live, action);
      return live === state.live ? state : { ...state, live };
    }
    case 'finished': {
      const { result, origin } = action.run;
      // A Share that ran the code stays under way (`sharing`) for the share to follow.
      return {
        busy: null,
        problem: null,
        live: null,
        sharing: state.sharing,
        view: {
          result,
          origin,
          source: 'run',
          savedId: null,
          transcript: state.live ? finalTranscript(state.live.stdout, result.stdout) : undefined,
        },
      };
    }
    case 'cancelled':
      return {
        busy: null,
        view: null,
        problem: null,
        live: state.live ? { ...state.live, phase: 'over', queue: null, cancelled: true } : null,
        sharing: false,
      };
    case 'failed':
      // Output a live run printed before the connection broke stays in view, under the banner.
      return {
        busy: null,
        view: keepsLastResult(state.busy, action.problem) ? state.view : null,
        problem: { problem: action.problem, at: action.at, action: state.busy ?? 'run' },
        live: state.live && hasLiveOutput(state.live) ? { ...state.live, phase: 'over' } : null,
        sharing: false,
      };
    case 'shared':
      return {
        busy: null,
        problem: null,
        live: null,
        sharing: false,
        view:
          state.view && state.view.result === action.result
            ? { ...state.view, savedId: action.id, visibility: action.visibility }
            : state.view,
      };
    case 'receiptRefused':
      return { ...state, view: state.view && state.view.result === action.result ? { ...state.view, origin: null } : state.view };
    case 'loaded': {
      const { submission, result } = action;
      return {
        busy: null,
        problem: null,
        live: null,
        sharing: false,
        view: {
          result,
          source: 'permalink',
          savedId: submission.id,
          visibility: submission.visibility,
          createdAt: submission.created_at,
          origin: { code: submission.code, stdin: submission.stdin, typed: [] },
        },
      };
    }
    case 'deleted': {
      if (state.view?.savedId !== action.id) return state;
      // Share saves it anew (no permalink to show), and nothing says when it was saved.
      const { visibility: _visibility, createdAt: _createdAt, ...view } = state.view;
      return { ...state, view: { ...view, savedId: null } };
    }
  }
}
