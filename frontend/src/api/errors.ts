// Every failed API call is turned into one ApiProblem, so components switch on `kind` and
// never inspect HTTP statuses or Axios internals.
import { rateLimitInWords } from './limits';
import type { FieldProblem, RefusalReason, Violation } from './types';

export type ApiProblem =
  | { kind: 'policy'; detail: string; violations: Violation[] }
  | { kind: 'invalid'; detail: string; errors: FieldProblem[] }
  | { kind: 'rate-limited'; detail: string; retryAfterS: number; limit: string | null }
  /** A 429 for the client's share: as many of its runs are alive (or waiting) as one client may have at once. */
  | { kind: 'client-share'; detail: string; retryAfterS: number }
  | { kind: 'too-large'; detail: string }
  | { kind: 'unavailable'; detail: string; retryAfterS: number | null }
  | { kind: 'not-found'; detail: string }
  /** 401: credentials were needed, or the ones sent are no longer valid (a signed-in tab is signed out then). */
  | { kind: 'unauthorized'; detail: string }
  /** 409: e.g. an address that has an account, a submission still waiting for its verdict. */
  | { kind: 'conflict'; detail: string }
  | { kind: 'server'; status: number; detail: string }
  | { kind: 'network'; detail: string }
  | { kind: 'disconnected'; detail: string }
  | { kind: 'timeout'; detail: string }
  | { kind: 'unexpected'; status: number; detail: string }
  /** The server returned the run without a receipt (a server older than this page): it cannot be shared as it is. */
  | { kind: 'no-receipt'; detail: string };

/** What the request that failed was for: a share's refusals read differently from a run's. */
export type ProblemAction = 'run' | 'share' | 'load';

/** The receipt field of a share's 422: the server would not vouch for the run (expired, or not this run). */
export const RECEIPT_FIELD = 'body.receipt';

/** Whether a share was refused because the server would not vouch for the run it sent. */
export function isReceiptRefusal(problem: ApiProblem): boolean {
  return problem.kind === 'invalid' && problem.errors.some((e) => e.field === RECEIPT_FIELD);
}

/** The rule id of code that does not parse (the others are the sandbox policy's). */
export const SYNTAX_ERROR = 'syntax-error';

export class ApiError extends Error {
  readonly problem: ApiProblem;

  constructor(problem: ApiProblem) {
    super(describeProblem(problem));
    this.name = 'ApiError';
    this.problem = problem;
  }
}

function seconds(n: number): string {
  return n === 1 ? '1 second' : `${n} seconds`;
}

/** A share's refusals, where they differ from a run's; null where the run's sentence fits. */
function describeShareProblem(problem: ApiProblem, remainingS?: number): string | null {
  switch (problem.kind) {
    case 'invalid':
      if (!isReceiptRefusal(problem)) return null;
      return (
        'The server could not verify this run, so it was not shared (a run can be shared for a day after it ran). ' +
        'Press Share again to run the code anew and share that run.'
      );
    case 'too-large':
      return 'This run is too large to share: its output is more than the server keeps. Make the program print less, then share again.';
    case 'rate-limited': {
      const wait = remainingS ?? problem.retryAfterS;
      const limit = problem.limit ? ` (limit: ${problem.limit})` : '';
      const when = wait > 0 ? `You can share it in ${seconds(wait)}.` : 'You can share it now.';
      return `Too many runs in a short time${limit}; a share counts as one. The run was not shared. ${when}`;
    }
    case 'unavailable': {
      const wait = remainingS ?? problem.retryAfterS;
      const when = wait && wait > 0 ? ` Try again in ${seconds(wait)}.` : ' Try again in a moment.';
      return `The server cannot save the run right now (${stripDot(problem.detail)}); it was not shared.${when}`;
    }
    default:
      return null;
  }
}

/**
 * A sentence a person can act on. `remainingS` overrides the wait for a live countdown; `action`
 * says what failed (a share's refusals name the share, not a run).
 */
export function describeProblem(problem: ApiProblem, remainingS?: number, action: ProblemAction = 'run'): string {
  if (action === 'share') {
    const sentence = describeShareProblem(problem, remainingS);
    if (sentence !== null) return sentence;
  }
  switch (problem.kind) {
    case 'policy': {
      const [only] = problem.violations;
      // Code that does not parse breaks no rule of the sandbox: say so in Python's words.
      if (problem.violations.length === 1 && only?.rule === SYNTAX_ERROR) {
        return `${only.message}. The code was not run; see the marked line.`;
      }
      return problem.violations.length === 1
        ? 'The code breaks a rule of the sandbox policy; it was not run. See the marked line.'
        : `The code breaks ${problem.violations.length} rules of the sandbox policy; it was not run. See the marked lines.`;
    }
    case 'invalid':
      return `The server did not accept the request: ${problem.detail}`;
    case 'rate-limited': {
      const wait = remainingS ?? problem.retryAfterS;
      const limit = problem.limit ? ` (limit: ${problem.limit})` : '';
      return wait > 0
        ? `Too many runs in a short time${limit}. You can run again in ${seconds(wait)}.`
        : `Too many runs in a short time${limit}. You can run again now.`;
    }
    case 'client-share': {
      // The server's sentence says how many runs are alive; the countdown replaces its own wait.
      const sentence = stripDot(problem.detail.replace(CLIENT_SHARE_WAIT, ''));
      const wait = remainingS ?? problem.retryAfterS;
      return wait > 0 ? `${sentence}. You can run again in ${seconds(wait)}.` : `${sentence}. You can run again now.`;
    }
    case 'too-large':
      return 'The code and input are too large for the server to accept. Shorten them and try again.';
    case 'unavailable': {
      const wait = remainingS ?? problem.retryAfterS;
      const when = wait && wait > 0 ? ` Try again in ${seconds(wait)}.` : ' Try again in a moment.';
      return `The server cannot run code right now (${stripDot(problem.detail)}).${when}`;
    }
    case 'not-found':
      return 'This saved snippet does not exist: the link may be mistyped or the snippet was removed.';
    case 'unauthorized':
      return `The server wants you signed in: ${problem.detail}`;
    case 'conflict':
      return problem.detail;
    case 'server':
      return `The server ran into an error (HTTP ${problem.status}). Try again; if it keeps happening, please report it.`;
    case 'network':
      return 'Could not reach the execbox server. Check your connection and that the server is running, then try again.';
    case 'disconnected':
      return 'The connection to the server was lost while the program ran. Its output so far is shown; run it again to see the rest.';
    case 'timeout':
      return 'The server took too long to answer. Try again in a moment.';
    case 'unexpected':
      return `The server answered with an unexpected error (HTTP ${problem.status}): ${problem.detail}`;
    case 'no-receipt':
      return 'This server cannot share a run as it ended (it gave the run no receipt). Reload the page and try again.';
  }
}

type Json = Record<string, unknown>;

export function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function isViolation(v: unknown): v is Violation {
  return isObject(v) && typeof v.line === 'number' && typeof v.col === 'number' && typeof v.message === 'string';
}

export function isFieldProblem(v: unknown): v is FieldProblem {
  return isObject(v) && typeof v.field === 'string' && typeof v.message === 'string';
}

/**
 * An error answer of the API (an HTTP error response, or the stream's `error` message: the same
 * body and status) as an ApiProblem. `retryAfterS` is the Retry-After header's wait, used when the
 * body has no `retry_after_s`.
 */
export function problemFromBody(status: number, data: unknown, fallbackDetail: string, retryAfterS: number | null = null): ApiProblem {
  const detail = isObject(data) && typeof data.detail === 'string' && data.detail.trim() !== '' ? data.detail : fallbackDetail;
  const bodyWait =
    isObject(data) && typeof data.retry_after_s === 'number' && Number.isFinite(data.retry_after_s)
      ? Math.max(0, Math.ceil(data.retry_after_s))
      : null;
  const wait = bodyWait ?? retryAfterS;
  if (status === 422) {
    // One status, two shapes: the code policy (violations) or an invalid body (errors).
    if (isObject(data) && Array.isArray(data.violations)) {
      return { kind: 'policy', detail, violations: data.violations.filter(isViolation) };
    }
    const errors = isObject(data) && Array.isArray(data.errors) ? data.errors.filter(isFieldProblem) : [];
    return { kind: 'invalid', detail, errors };
  }
  if (status === 429 && isObject(data) && CLIENT_SHARE_REASONS.has(data.reason as RefusalReason)) {
    return { kind: 'client-share', detail, retryAfterS: wait ?? 2 };
  }
  if (status === 429) return { kind: 'rate-limited', detail, retryAfterS: wait ?? 60, limit: runLimitOf(detail) };
  if (status === 413) return { kind: 'too-large', detail };
  if (status === 503) return { kind: 'unavailable', detail, retryAfterS: wait };
  if (status === 404) return { kind: 'not-found', detail };
  if (status === 401) return { kind: 'unauthorized', detail };
  if (status === 409) return { kind: 'conflict', detail };
  if (status >= 500) return { kind: 'server', status, detail };
  return { kind: 'unexpected', status, detail };
}

// The client's share refusals (its runs alive, or waiting) say why in their own sentences, not the
// rate limit's: "2 of your runs are still running, ...; wait for one to finish (try again in 2 s)."
const CLIENT_SHARE_REASONS: ReadonlySet<RefusalReason> = new Set<RefusalReason>(['client_share', 'client_waiting']);
const CLIENT_SHARE_WAIT = /\s*\(try again in [^)]*\)/;

// The run limit's refusal reads "Too many runs from your address (limit: 10/minute). ...", the
// limit in the syntax of the `limits` library. The refused-requests limit says "Too many refused
// requests": it is not the run limit, so it is not named as one.
const RUN_LIMIT_DETAIL = /^Too many runs\b[^(]*\(limit: ([^)]+)\)/;

/** The run limit in a 429's detail, in words ("10 runs a minute", "10 runs a minute, 100 an hour"); null when it is not there. */
export function runLimitOf(detail: string): string | null {
  const text = RUN_LIMIT_DETAIL.exec(detail)?.[1];
  return text ? rateLimitInWords(text) : null;
}

function stripDot(s: string): string {
  return s.replace(/\.\s*$/, '');
}
