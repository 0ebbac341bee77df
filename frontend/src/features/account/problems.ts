// Refusals of the account endpoints, in words: their `detail` is written for a person (wrong
// password, address taken, too many attempts), unlike a run's, which the app rewords.
import { ApiError, describeProblem, type ApiProblem } from '../../api/errors';

const SERVER_WORDS: ReadonlySet<ApiProblem['kind']> = new Set(['invalid', 'rate-limited', 'unauthorized', 'conflict', 'not-found']);

export function describeAccountProblem(problem: ApiProblem): string {
  return SERVER_WORDS.has(problem.kind) ? problem.detail : describeProblem(problem);
}

/** Any failure of an account request as a sentence (a non-ApiError is a broken connection). */
export function accountErrorText(err: unknown): string {
  return err instanceof ApiError ? describeAccountProblem(err.problem) : describeProblem({ kind: 'network', detail: String(err) });
}

/** The wait a refusal for too many attempts (a 429) asks for, in seconds; null for any other failure. */
export function retryWaitOf(err: unknown): number | null {
  return err instanceof ApiError && err.problem.kind === 'rate-limited' ? err.problem.retryAfterS : null;
}

/**
 * A 422's messages by the form field they are about: `body.email` is the field `email`, and the
 * sign-in form's `body.username` is the address too.
 */
export function fieldErrors(err: unknown): Partial<Record<string, string>> {
  if (!(err instanceof ApiError) || err.problem.kind !== 'invalid') return {};
  const byField: Partial<Record<string, string>> = {};
  for (const { field, message } of err.problem.errors) {
    const name = field.split('.').at(-1) ?? field;
    byField[name === 'username' ? 'email' : name] ??= message;
  }
  return byField;
}
