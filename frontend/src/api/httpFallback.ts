// The live run's fallback: when the stream cannot carry a run (stream.ts's StreamUnavailable: an
// old server, a proxy without WebSockets), the same request goes to POST /api/v1/code/execute,
// as one request: no live output, no input while it runs, and no Stop (only stopping the wait).
import type { ApiClient } from './client';
import type { LiveRunRequest } from './stream';
import type { ExecutionResult } from './types';

/** Runs what `request` would have run live, over plain HTTP. */
export function runOverHttp(api: Pick<ApiClient, 'execute'>, request: LiveRunRequest, signal: AbortSignal): Promise<ExecutionResult> {
  // Over HTTP the page would not learn that the run waits for its turn (no `queued`): a busy
  // server's refusal, said at once, beats a long silent request that looks like a slow run.
  return api.execute({ ...request, wait: false }, signal);
}
