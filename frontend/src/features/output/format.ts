import type { ExecutionResult, LimitHit, Limits, RunStatus } from '../../api/types';

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}

export function formatMemory(kb: number): string {
  if (!Number.isFinite(kb) || kb < 0) return '–';
  if (kb < 1024) return `${kb} KiB`;
  return `${(kb / 1024).toFixed(1)} MiB`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${Math.round(bytes / (1024 * 1024))} MiB`;
}

export const STATUS_LABELS: Record<RunStatus, string> = {
  success: 'Success',
  runtime_error: 'Error',
  timeout: 'Timed out',
  memory_limit: 'Memory limit',
  output_limit: 'Output limit',
  stopped: 'Stopped',
  internal_error: 'Internal error',
};

/** What the status means, for the live region and the badge's title. */
export const STATUS_SENTENCES: Record<RunStatus, string> = {
  success: 'The program ran successfully.',
  runtime_error: 'The program stopped with an error.',
  timeout: 'The program ran out of time and was stopped.',
  memory_limit: 'The program used too much memory and was stopped.',
  output_limit: 'The program printed more than the output limit and was stopped.',
  stopped: 'You stopped the program.',
  internal_error: 'The sandbox failed to run the program. This is not your code’s fault; try again.',
};

/** A number without trailing zeros: 2, 2.5, 0.25 (at most two decimals). */
function plain(n: number): string {
  return String(Number(n.toFixed(2)));
}

/** Seconds as a limit is set: "10 s", "2.5 s", "0.5 s". */
export function formatSeconds(s: number): string {
  return `${plain(s)} s`;
}

/** A size in MiB as a limit is set: "256 MiB", "1.5 GiB". */
export function formatMebibytes(mb: number): string {
  return mb >= 1024 ? `${plain(mb / 1024)} GiB` : `${plain(mb)} MiB`;
}

/** A size in bytes as a limit is set, exact where it can be: "1 MiB", "64 KiB", "1.5 MiB", "1000 B". */
export function formatByteLimit(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${plain(bytes / (1024 * 1024))} MiB`;
  if (bytes >= 1024) return `${plain(bytes / 1024)} KiB`;
  return `${bytes} B`;
}

type LimitName = keyof Limits;

/** What the program did to hit each limit, its value in human units. */
const LIMIT_SENTENCES: Record<LimitName, (value: number) => string> = {
  wall_time_s: (v) => `The program ran out of time: the wall-time limit of ${formatSeconds(v)}.`,
  cpu_time_s: (v) => `The program used all of its CPU time: ${formatSeconds(v)}.`,
  memory_mb: (v) => `The program went over its memory limit of ${formatMebibytes(v)}.`,
  output_bytes: (v) => `The program printed more than the output limit of ${formatByteLimit(v)}.`,
  results_bytes: (v) => `The program displayed more than the rich-results limit (tables, plots) of ${formatByteLimit(v)}.`,
};

const isLimitName = (name: string): name is LimitName => Object.hasOwn(LIMIT_SENTENCES, name);

/** The sentence for a limit that ended a run; null for a limit this page does not know. */
export function limitSentence(limit: LimitHit): string | null {
  return isLimitName(limit.name) && Number.isFinite(limit.value) ? LIMIT_SENTENCES[limit.name](limit.value) : null;
}

/** The statuses a limit ends a run with: only then does `limit_hit` say which. */
const LIMIT_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>(['timeout', 'memory_limit', 'output_limit']);

export const WAITING_SENTENCE =
  'It was waiting for input that never came: type a line in the input field when it asks, or put the input in the Standard input box before you run it.';

/**
 * What a result means, in words: the limit that ended it with its value, and whether it was
 * waiting for input then. A result without `limit_hit` (e.g. a saved submission) gets its status's sentence.
 */
export function resultSentence(result: Pick<ExecutionResult, 'status' | 'limit_hit' | 'waiting_for_input'>): string {
  const waiting = result.waiting_for_input === true;
  if (result.status === 'stopped' && waiting) return 'You stopped the program while it was waiting for input.';
  const limit = LIMIT_STATUSES.has(result.status) && result.limit_hit ? limitSentence(result.limit_hit) : null;
  const sentence = limit ?? STATUS_SENTENCES[result.status];
  return waiting ? `${sentence} ${WAITING_SENTENCE}` : sentence;
}

/** A running clock: "0.0 s" … "59.9 s" (tenths, never ahead of time), then "1 min 05 s". */
export function formatElapsed(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '–';
  if (ms < 60_000) return `${(Math.floor(ms / 100) / 10).toFixed(1)} s`;
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
}
