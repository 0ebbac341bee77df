import { describe, expect, it } from 'vitest';

import { limitsInWords, rateLimitInWords, rateWindows } from './limits';

describe('rateWindows', () => {
  it('reads every way the server writes a window, shortest first', () => {
    expect(rateWindows('100 per Hour, 5/second | 1000/day;10/2 minutes')).toEqual([
      { count: 5, multiples: 1, unit: 'second' },
      { count: 10, multiples: 2, unit: 'minute' },
      { count: 100, multiples: 1, unit: 'hour' },
      { count: 1000, multiples: 1, unit: 'day' },
    ]);
  });

  it.each(['', 'lots', '10/fortnight', '10/minute;soon', 'ten/minute', '10 minute'])('is null for %j', (text) => {
    expect(rateWindows(text)).toBeNull();
  });
});

describe('rateLimitInWords', () => {
  it.each([
    ['30/minute', '30 runs a minute'],
    ['1/second', '1 run a second'],
    ['1000/hour', '1000 runs an hour'],
    ['100/hour;10/minute', '10 runs a minute, 100 an hour'],
    ['10/minute;100/hour', '10 runs a minute, 100 an hour'],
    ['5 per 30 seconds', '5 runs every 30 seconds'],
    ['100/2 hours; 500/day', '100 runs every 2 hours, 500 a day'],
    ['2/1 MINUTES', '2 runs a minute'],
    ['12/month, 100/year', '12 runs a month, 100 a year'],
  ])('says %s as "%s"', (text, words) => {
    expect(rateLimitInWords(text)).toBe(words);
  });

  it('is null for what it cannot read', () => {
    expect(rateLimitInWords('10/fortnight')).toBeNull();
  });
});

describe('limitsInWords', () => {
  it.each<[string | null, number | null, [string, string]]>([
    ['30/minute', 4, ['30 runs a minute', '4 at once']],
    ['100/hour;10/minute', 1, ['10 runs a minute, 100 an hour', '1 at once']],
    [null, 4, ['no rate limit', '4 runs at once']],
    [null, 1, ['no rate limit', '1 run at once']],
    ['30/minute', null, ['30 runs a minute', 'no cap on runs at once']],
    [null, null, ['no rate limit', 'no cap on runs at once']],
    // A server newer than this page may write a limit it cannot read: shown as written.
    ['10/fortnight', 2, ['rate limit 10/fortnight', '2 at once']],
  ])('says %j and %j as %j', (rate_limit, runs_alive, words) => {
    expect(limitsInWords({ rate_limit, runs_alive })).toEqual(words);
  });
});
