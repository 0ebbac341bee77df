import { describe, expect, it } from 'vitest';

import { runLimitOf } from './errors';

const refusal = (limit: string) => `Too many runs from your address (limit: ${limit}). Try again in 42 s.`;

describe('runLimitOf', () => {
  it.each([
    ['10/minute', '10 per minute'],
    ['2 per minute', '2 per minute'],
    ['10/2 minutes', '10 per 2 minutes'],
    ['100/hour;10/minute', '100 per hour, 10 per minute'],
    ['100 per Hour, 5/second', '100 per hour, 5 per second'],
  ])('reads %s as "%s"', (limit, words) => {
    expect(runLimitOf(refusal(limit))).toBe(words);
  });

  it.each([
    ['no limit in the detail', 'Rate limit exceeded.'],
    ['an empty detail', ''],
    ['a limit it cannot read', refusal('lots')],
    ['one part it cannot read', refusal('10/minute;soon')],
    ['the refused-requests limit, which is not the run limit', 'Too many refused requests from your address (limit: 60/minute). Try again in 5 s.'],
  ])('is null for %s', (_case, detail) => {
    expect(runLimitOf(detail)).toBeNull();
  });
});
