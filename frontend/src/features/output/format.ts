import type { RunStatus } from '../../api/types';

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
