import type { Busy, LiveView } from '../run/runState';
import { ElapsedTime } from './ElapsedTime';
import { busyLabel, isWaitingForInput, queueLabel, queueOf } from './runStatus';

interface Props {
  busy: Exclude<Busy, null>;
  live: LiveView | null;
  sharing: boolean;
}

/**
 * What is under way, next to the Output heading: "Running · 3.4 s" with a spinner,
 * "Waiting for input · 3.4 s" with a still marker while the program is blocked reading its stdin
 * (a run that waits is not working), or "Waiting for a free sandbox (2 ahead)" with a pulsing one
 * while the run waits for its turn on the server. The time counts from the run's start (not
 * while it waited for its turn); the result's wall time replaces it.
 */
export function RunProgress({ busy, live, sharing }: Props) {
  const waiting = isWaitingForInput(busy, live);
  const queue = queueOf(busy, live);
  const since = busy === 'run' && live?.phase === 'running' ? live.runningSince : null;
  return (
    <span
      className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300"
      data-testid="run-progress"
      data-waiting={waiting}
      data-queued={queue !== null}
    >
      {waiting && <span aria-hidden="true" className="size-2.5 rounded-full bg-amber-500 ring-2 ring-amber-500/30" />}
      {queue && <span aria-hidden="true" className="size-2.5 animate-pulse rounded-full bg-sky-500 ring-2 ring-sky-500/30" />}
      {!waiting && !queue && (
        <span aria-hidden="true" className="size-3 animate-spin rounded-full border-2 border-sky-500 border-t-transparent" />
      )}
      {waiting ? (
        <span className="font-semibold text-amber-800 dark:text-amber-300" data-testid="waiting-for-input">
          Waiting for input
        </span>
      ) : queue ? (
        <span
          className="font-semibold text-sky-900 dark:text-sky-200"
          data-testid="queued"
          data-reason={queue.reason ?? 'unknown'}
          data-position={queue.position}
        >
          {queueLabel(queue)}
        </span>
      ) : (
        <span>
          {busyLabel(busy, live, sharing)}
          {since === null && '…'}
        </span>
      )}
      {since !== null && (
        <>
          <span aria-hidden="true">·</span>
          <ElapsedTime since={since} />
        </>
      )}
    </span>
  );
}
