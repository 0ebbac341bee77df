// Friendly names for the generated OpenAPI schema types: the rest of the app imports these,
// so a backend schema change surfaces as a type error where the field is used.
import type { components } from './schema';

export type Schemas = components['schemas'];

export type ExecuteRequest = Schemas['ExecuteRequest'];
export type ExecutionResult = Schemas['ExecutionResult'];
/** A run to save as it ended (POST /api/v1/code/shares): no new run; its receipt proves it. */
export type ShareRequest = Schemas['ShareRequest'];
export type SharedRun = Schemas['SharedRun'];
export type Submission = Schemas['Submission'];
export type SubmissionPage = Schemas['SubmissionPage'];
/** One line of `GET /code/submissions`: id, time, status, the code's first line, visibility. */
export type SubmissionSummary = Schemas['SubmissionSummary'];
/** Who may read a saved submission: `unlisted` (whoever has its link) or `private` (its account alone). */
export type Visibility = Schemas['Visibility'];
export type RuntimeInfo = Schemas['RuntimeOut'];
export type RunStatus = Schemas['RunStatus'];
export type Violation = Schemas['ViolationOut'];
export type FieldProblem = Schemas['FieldProblem'];
/** The body of every refusal (4xx, 503): `detail`, and `errors`, `violations`, `retry_after_s`, `reason` where they apply. */
export type Problem = Schemas['Problem'];
/** Why a 429 or 503 came, as a word a program can test. */
export type RefusalReason = NonNullable<Problem['reason']>;
export type Limits = Schemas['LimitsOut'];
/** The limit that ended a run: `name` is one of Limits' keys (a newer server may add others), `value` its value for the run. */
export type LimitHit = Schemas['LimitOut'];
/** One value the program displayed: `text/html`, `image/png` (base64) or `text/plain`. */
export type RichResult = Schemas['RichResultOut'];

// The accounts endpoints (/auth, /users/me, /keys): served only with ACCOUNTS_ENABLED
// (runtime.accounts.enabled), published in the schema either way.
/** The signed-in account; `email` as stored: normalised and case-folded. */
export type User = Schemas['UserOut'];
/** What the credentials of a request may run (api/limits.ts puts it in words); null: not limited. */
export type ClientLimits = Schemas['ClientLimitsOut'];
/** The answer of GET /users/me: the account, and what the credentials that asked may run. */
export type CurrentUser = Schemas['CurrentUserOut'];
/** The answer of POST /auth/token. */
export type AccessToken = Schemas['TokenOut'];
/** A key as listed, without its secret; `prefix` tells keys apart. */
export type ApiKey = Schemas['ApiKeyOut'];
/** A key just made, with its secret (in this answer only). */
export type NewApiKey = Schemas['NewApiKey'];
/** The answer of POST /users/me/adopt: how many of the browser's anonymous submissions the account took. */
export type AdoptedSubmissions = Schemas['AdoptedSubmissions'];

// The live stream's messages (docs/streaming.md), published with the schema as two unions.
export type RunMessage = Schemas['RunMessage'];
export type StdinMessage = Schemas['StdinMessage'];
export type CloseStdinMessage = Schemas['CloseStdinMessage'];
export type StopMessage = Schemas['StopMessage'];
export type ClientMessage = Schemas['StreamClientMessage'];
export type StartedMessage = Schemas['StartedMessage'];
export type OutputMessage = Schemas['OutputMessage'];
export type WaitingMessage = Schemas['WaitingMessage'];
export type ResultMessage = Schemas['ResultMessage'];
export type ErrorMessage = Schemas['ErrorMessage'];

const NO_RESULTS: readonly RichResult[] = [];

/** A result's rich results (the schema makes the field optional: it defaults to none). */
export function resultsOf(result: ExecutionResult): readonly RichResult[] {
  return result.results ?? NO_RESULTS;
}

/** A submission's result, or null while it is still queued or running (asynchronous submissions). */
export function finishedResult(submission: Submission): ExecutionResult | null {
  const { status, stdout, stderr, truncated, wall_ms, cpu_ms, memory_kb } = submission;
  if (status === 'queued' || status === 'running') return null;
  if (stdout === null || stderr === null || truncated === null) return null;
  if (wall_ms === null || cpu_ms === null || memory_kb === null) return null;
  return {
    status,
    exit_code: submission.exit_code,
    signal: submission.signal,
    stdout,
    stderr,
    truncated,
    error: submission.error,
    wall_ms,
    cpu_ms,
    memory_kb,
    results: submission.results ?? [],
    // A saved submission does not record it: the schema's default.
    waiting_for_input: false,
  };
}
