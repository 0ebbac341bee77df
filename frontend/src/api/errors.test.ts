import { describe, expect, it } from 'vitest';

import { describeProblem, isReceiptRefusal, problemFromBody, runLimitOf, type ApiProblem } from './errors';

const refusal = (limit: string) => `Too many runs from your address (limit: ${limit}). Try again in 42 s.`;

describe('runLimitOf', () => {
  it.each([
    ['10/minute', '10 runs a minute'],
    ['2 per minute', '2 runs a minute'],
    ['10/2 minutes', '10 runs every 2 minutes'],
    ['100/hour;10/minute', '10 runs a minute, 100 an hour'],
    ['100 per Hour, 5/second', '5 runs a second, 100 an hour'],
  ])('reads %s as "%s"', (limit, words) => {
    expect(runLimitOf(refusal(limit))).toBe(words);
  });

  it.each([
    ['no limit in the detail', 'Rate limit exceeded.'],
    ['an empty detail', ''],
    ['a limit it cannot read', refusal('lots')],
    ['one part it cannot read', refusal('10/minute;soon')],
    ['a unit it does not know', refusal('10/fortnight')],
    [
      'the refused-requests limit, which is not the run limit',
      'Too many refused requests from your address (limit: 60/minute). Try again in 5 s.',
    ],
  ])('is null for %s', (_case, detail) => {
    expect(runLimitOf(detail)).toBeNull();
  });
});

describe('describeProblem for a share', () => {
  const receipt: ApiProblem = { kind: 'invalid', detail: 'x', errors: [{ field: 'body.receipt', message: 'does not match' }] };

  it('recognises a refused receipt', () => {
    expect(isReceiptRefusal(receipt)).toBe(true);
    expect(isReceiptRefusal({ kind: 'invalid', detail: 'x', errors: [{ field: 'body.stdin', message: 'too long' }] })).toBe(false);
    expect(isReceiptRefusal({ kind: 'too-large', detail: 'x' })).toBe(false);
  });

  it.each<[ApiProblem, string]>([
    [
      receipt,
      'The server could not verify this run, so it was not shared (a run can be shared for a day after it ran). Press Share again to run the code anew and share that run.',
    ],
    [
      { kind: 'too-large', detail: 'x' },
      'This run is too large to share: its output is more than the server keeps. Make the program print less, then share again.',
    ],
    [
      { kind: 'rate-limited', detail: 'x', retryAfterS: 1, limit: '10 runs a minute' },
      'Too many runs in a short time (limit: 10 runs a minute); a share counts as one. The run was not shared. You can share it in 1 second.',
    ],
    [
      { kind: 'unavailable', detail: 'The database is unavailable.', retryAfterS: null },
      'The server cannot save the run right now (The database is unavailable); it was not shared. Try again in a moment.',
    ],
  ])('words %o for the share', (problem, sentence) => {
    expect(describeProblem(problem, undefined, 'share')).toBe(sentence);
  });

  it('counts the wait down like a run’s', () => {
    expect(describeProblem({ kind: 'rate-limited', detail: 'x', retryAfterS: 30, limit: null }, 0, 'share')).toMatch(
      /You can share it now\.$/,
    );
  });

  it('falls back to the run’s sentences where they fit', () => {
    expect(describeProblem({ kind: 'network', detail: 'x' }, undefined, 'share')).toMatch(/Could not reach the execbox server/);
    expect(describeProblem({ kind: 'too-large', detail: 'x' })).toMatch(/The code and input are too large/);
  });
});

describe('a 429 for the client’s share of runs', () => {
  const detail = '2 of your runs are still running, as many as one client may have at once; wait for one to finish (try again in 2 s).';

  it('is told apart from the rate limit by its reason', () => {
    expect(problemFromBody(429, { detail, retry_after_s: 2, reason: 'client_share' }, 'HTTP 429')).toEqual({
      kind: 'client-share',
      detail,
      retryAfterS: 2,
    });
    const one = '1 of your runs is still running, as many as one client may have at once; wait for it to finish (try again in 2 s).';
    expect(problemFromBody(429, { detail: one, reason: 'client_share' }, 'HTTP 429', 3)).toEqual({
      kind: 'client-share',
      detail: one,
      retryAfterS: 3,
    });
    const waiting =
      '20 of your runs are already waiting for their turn, as many as one client may have waiting; wait for them to start (try again in 2 s).';
    expect(problemFromBody(429, { detail: waiting, retry_after_s: 2, reason: 'client_waiting' }, 'HTTP 429')).toEqual({
      kind: 'client-share',
      detail: waiting,
      retryAfterS: 2,
    });
    // Its sentence alone does not make it one: only the reason does.
    expect(problemFromBody(429, { detail, reason: 'rate_limit' }, 'HTTP 429')).toMatchObject({ kind: 'rate-limited' });
    expect(describeProblem({ kind: 'client-share', detail: waiting, retryAfterS: 2 })).toBe(
      '20 of your runs are already waiting for their turn, as many as one client may have waiting; wait for them to start. You can run again in 2 seconds.',
    );
    expect(problemFromBody(429, { detail: 'Rate limit exceeded.' }, 'HTTP 429')).toMatchObject({ kind: 'rate-limited' });
    expect(
      problemFromBody(429, { detail: 'Too many runs from your address (limit: 2/minute). Try again in 5 s.' }, 'HTTP 429'),
    ).toMatchObject({
      kind: 'rate-limited',
      limit: '2 runs a minute',
    });
  });

  it('says the server’s sentence, its wait counted down', () => {
    const problem: ApiProblem = { kind: 'client-share', detail, retryAfterS: 2 };
    expect(describeProblem(problem)).toBe(
      '2 of your runs are still running, as many as one client may have at once; wait for one to finish. You can run again in 2 seconds.',
    );
    expect(describeProblem(problem, 0)).toMatch(/wait for one to finish\. You can run again now\.$/);
    // A share that had to run first was refused as a run.
    expect(describeProblem(problem, 1, 'share')).toMatch(/^2 of your runs are still running.* You can run again in 1 second\.$/);
  });

  it('keeps a sentence without a wait in it as it is', () => {
    expect(describeProblem({ kind: 'client-share', detail: '3 of your runs are still running.', retryAfterS: 0 })).toBe(
      '3 of your runs are still running. You can run again now.',
    );
  });
});
