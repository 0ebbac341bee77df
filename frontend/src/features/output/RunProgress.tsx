import type { Busy, LiveView } from '../run/useRunner';
import { ElapsedTime } from './ElapsedTime';
import { busyLabel, isWaitingForInput } from './runStatus';

interface Props {
  busy: Exclude<Busy, null>;
  live: LiveView | null;
  sharing: boolean;
}

/**
 * What is under way, next to the Output heading: "Running · 3.4 s" with a spinner, or
 * "Waiting for input · 3.4 s" with a still marker while the program is blocked reading its stdin
 * (a run that waits is not working). The time counts from the run's start; the result's wall
 * time replaces it.
 */
export function RunProgress({ busy, live, sharing }: Props) {
  const waiting = isWaitingForInput(busy, live);
  const since = busy === 'run' && live?.phase === 'running' ? live.runningSince : null;
  return (
    <span
      className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300"
      data-testid="run-progress"
      data-waiting={waiting}
    >
      {waiting ? (
        <span aria-hidden="true" className="size-2.5 rounded-full bg-amber-500 ring-2 ring-amber-500/30" />
      ) : (
        <span aria-hidden="true" className="size-3 animate-spin rounded-full border-2 border-sky-500 border-t-transparent" />
      )}
      {waiting ? (
        <span className="font-semibold text-amber-800 dark:text-amber-300" data-testid="waiting-for-input">
          Waiting for input
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
