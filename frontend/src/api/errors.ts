// Every failed API call is turned into one ApiProblem, so components switch on `kind` and
// never inspect HTTP statuses or Axios internals.
import type { FieldProblem, Violation } from './types';

export type ApiProblem =
  | { kind: 'policy'; detail: string; violations: Violation[] }
  | { kind: 'invalid'; detail: string; errors: FieldProblem[] }
  | { kind: 'rate-limited'; detail: string; retryAfterS: number }
  | { kind: 'too-large'; detail: string }
  | { kind: 'unavailable'; detail: string; retryAfterS: number | null }
  | { kind: 'not-found'; detail: string }
  | { kind: 'server'; status: number; detail: string }
  | { kind: 'network'; detail: string }
  | { kind: 'timeout'; detail: string }
  | { kind: 'unexpected'; status: number; detail: string };

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

/** A sentence a person can act on. `remainingS` overrides the wait for a live countdown. */
export function describeProblem(problem: ApiProblem, remainingS?: number): string {
  switch (problem.kind) {
    case 'policy':
      return problem.violations.length === 1
        ? 'The code breaks a rule of the sandbox policy; it was not run. See the marked line.'
        : `The code breaks ${problem.violations.length} rules of the sandbox policy; it was not run. See the marked lines.`;
    case 'invalid':
      return `The server did not accept the request: ${problem.detail}`;
    case 'rate-limited': {
      const wait = remainingS ?? problem.retryAfterS;
      return wait > 0
        ? `Too many runs in a short time. You can run again in ${seconds(wait)}.`
        : 'Too many runs in a short time. You can run again now.';
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
    case 'server':
      return `The server ran into an error (HTTP ${problem.status}). Try again; if it keeps happening, please report it.`;
    case 'network':
      return 'Could not reach the execbox server. Check your connection and that the server is running, then try again.';
    case 'timeout':
      return 'The server took too long to answer. Try again in a moment.';
    case 'unexpected':
      return `The server answered with an unexpected error (HTTP ${problem.status}): ${problem.detail}`;
  }
}

function stripDot(s: string): string {
  return s.replace(/\.\s*$/, '');
}
