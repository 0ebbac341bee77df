// What a client may run, in words: its rate limit as the server writes it (the `limits` library's
// syntax, backend/execbox/rate_limit_syntax.py: `30/minute`, `100/hour;10/minute`,
// `100 per hour, 5/second`, `10/2 minutes`) and its runs alive at once. One wording for the
// account menu and for a 429's sentence.
import type { ClientLimits } from './types';

const SEPARATOR = /[,;|]/;
const ONE_WINDOW = /^(\d+)\s*(?:\/|per)\s*(\d+)?\s*([a-z]+)$/i;
const UNIT_SECONDS: Readonly<Record<string, number>> = {
  second: 1,
  minute: 60,
  hour: 3600,
  day: 86_400,
  month: 30 * 86_400,
  year: 365 * 86_400,
};

/** One window of a rate limit: `count` runs per `multiples` `unit`s. */
export interface RateWindow {
  count: number;
  multiples: number;
  unit: string;
}

/** A rate limit's windows, shortest first; null when `text` is not one (nothing is guessed). */
export function rateWindows(text: string): RateWindow[] | null {
  const windows: RateWindow[] = [];
  for (const part of text.split(SEPARATOR)) {
    const match = ONE_WINDOW.exec(part.trim());
    if (!match) return null;
    const [, count = '', multiples = '1', written = ''] = match;
    // The library takes a unit's plural too: `2 minutes`.
    const unit = written.toLowerCase().replace(/s$/, '');
    if (!(unit in UNIT_SECONDS)) return null;
    windows.push({ count: Number(count), multiples: Number(multiples), unit });
  }
  const length = (w: RateWindow) => w.multiples * (UNIT_SECONDS[w.unit] ?? 0);
  return windows.sort((a, b) => length(a) - length(b));
}

function per({ multiples, unit }: RateWindow): string {
  if (multiples !== 1) return `every ${multiples} ${unit}s`;
  return unit === 'hour' ? 'an hour' : `a ${unit}`;
}

/**
 * A rate limit in words, the shortest window first: `10 runs a minute, 100 an hour`,
 * `5 runs every 30 seconds`; null when `text` is not a rate limit.
 */
export function rateLimitInWords(text: string): string | null {
  const windows = rateWindows(text);
  if (windows === null) return null;
  return windows.map((w, i) => (i === 0 ? `${w.count} ${w.count === 1 ? 'run' : 'runs'} ${per(w)}` : `${w.count} ${per(w)}`)).join(', ');
}

/**
 * A client's limits as short phrases, to be read together: `['30 runs a minute', '4 at once']`,
 * `['no rate limit', '4 runs at once']`. A rate limit the page cannot read is shown as written.
 */
export function limitsInWords({ rate_limit, runs_alive }: ClientLimits): [string, string] {
  const rate = rate_limit === null ? null : (rateLimitInWords(rate_limit) ?? `rate limit ${rate_limit}`);
  // "4 at once" after "… runs a minute"; alone it says what is counted.
  const runs = rate === null ? (runs_alive === 1 ? ' run' : ' runs') : '';
  const alive = runs_alive === null ? 'no cap on runs at once' : `${runs_alive}${runs} at once`;
  return [rate ?? 'no rate limit', alive];
}
