// A permalink's saved run: GET /api/v1/code/submissions/{id}, until it has its verdict.
import type { ApiClient } from '../../api/client';
import { finishedResult, type ExecutionResult, type Submission } from '../../api/types';

const PENDING_POLL_MS = 500;

export interface SavedRun {
  submission: Submission;
  /** Its verdict: what the output panel shows. */
  result: ExecutionResult;
}

/**
 * The saved run `id`, once it has its verdict: an asynchronous submission may still be queued or
 * running, and is asked for again every 500 ms until it is done. Null when `signal` aborted first;
 * a failed request rejects, as `api.submission` does.
 */
export async function loadSavedRun(api: Pick<ApiClient, 'submission'>, id: string, signal: AbortSignal): Promise<SavedRun | null> {
  let submission = await api.submission(id, signal);
  let result = finishedResult(submission);
  while (result === null && !signal.aborted) {
    await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
    submission = await api.submission(id, signal);
    result = finishedResult(submission);
  }
  if (signal.aborted || result === null) return null;
  return { submission, result };
}
