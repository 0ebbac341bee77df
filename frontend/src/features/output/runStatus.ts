// The words for where a run is: the output panel's busy indicator, and the sentence of its live
// region (what screen readers hear, and sighted users read, when a run starts, waits and ends).
import { describeProblem } from '../../api/errors';
import type { QueueReason } from '../../api/stream';
import { modKey } from '../../lib/platform';
import type { Busy, LiveView, ProblemView, QueueView, ResultView } from '../run/runState';
import { resultSentence } from './format';

const BUSY_LABELS: Record<Exclude<Busy, null>, string> = {
  run: 'Running',
  share: 'Sharing',
  load: 'Loading the saved snippet',
};

/** What is under way, without an ellipsis (the indicator puts the elapsed time after it). */
export function busyLabel(busy: Exclude<Busy, null>, live: LiveView | null, sharing: boolean): string {
  if (busy === 'run' && live?.stopping) return 'Stopping';
  if (busy === 'run' && sharing) return 'Running, then sharing';
  return BUSY_LABELS[busy];
}

/** The run is going and its program is blocked reading its stdin (not once Stop was asked for). */
export function isWaitingForInput(busy: Busy, live: LiveView | null): boolean {
  return busy === 'run' && live?.phase === 'running' && live.waiting && !live.stopping;
}

/** The run waits for its turn on the server (not once Stop was asked for): its place in the line; null otherwise. */
export function queueOf(busy: Busy, live: LiveView | null): QueueView | null {
  if (busy !== 'run' || live?.phase !== 'queued' || live.stopping) return null;
  return live.queue;
}

/** "Waiting for a free sandbox (2 ahead)", "… (next in line)": the indicator's words for a queued run. */
export function queueLabel(queue: QueueView): string {
  const place = queue.position === 0 ? 'next in line' : `${queue.position} ahead`;
  switch (queue.reason) {
    case 'server_full':
      return `Waiting for a free sandbox (${place})`;
    case 'client_share':
      return `Waiting for your other runs to finish (${place})`;
    case null:
      return `Waiting for its turn (${place})`;
  }
}

const QUEUE_REASONS: Record<QueueReason, string> = {
  server_full: 'every sandbox of the server is running a program; yours starts as soon as one is free.',
  client_share: 'you have as many runs going as the server allows one person at once; this one starts when one of them ends.',
};

/** The live region's sentence for a queued run: where it is, and why it waits. */
export function queueAnnouncement(queue: QueueView): string {
  const why = queue.reason === null ? 'the server starts it when its turn comes.' : QUEUE_REASONS[queue.reason];
  return `${queueLabel(queue)}: ${why}`;
}

export const WAITING_ANNOUNCEMENT =
  'Waiting for input: the program is reading a line. Type it in the field under the output and press Enter.';

/** The sentence of the live region; `keys`: whether to name keyboard shortcuts (not on a touch screen). */
export function announcement(
  busy: Busy,
  view: ResultView | null,
  problem: ProblemView | null,
  live: LiveView | null,
  sharing: boolean,
  keys = true,
): string {
  if (isWaitingForInput(busy, live)) return WAITING_ANNOUNCEMENT;
  const queue = queueOf(busy, live);
  if (queue) return queueAnnouncement(queue);
  if (busy) return `${busyLabel(busy, live, sharing)}…`;
  if (problem) return describeProblem(problem.problem, undefined, problem.action);
  if (live?.cancelled) {
    return live.transport === 'http'
      ? 'Stopped waiting for the run (the server ends it at its time limit).'
      : 'Stopped before the program started.';
  }
  if (!view) return keys ? `Press Run or ${modKey}+Enter to run the code.` : 'Press Run to run the code.';
  const parts = [resultSentence(view.result)];
  if (view.source === 'run' && view.savedId) parts.push('Shared: the permalink above shows this code, input and output.');
  return parts.join(' ');
}
