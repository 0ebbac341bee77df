import { describe, expect, it } from 'vitest';

import { ApiError } from '../../api/errors';
import { accountErrorText, describeAccountProblem, fieldErrors, retryWaitOf } from './problems';

describe('account problems', () => {
  it('are the server’s own sentences where it writes them for a person', () => {
    const wrong = 'The e-mail address or the password is wrong.';
    expect(describeAccountProblem({ kind: 'unauthorized', detail: wrong })).toBe(wrong);
    expect(describeAccountProblem({ kind: 'conflict', detail: 'There is an account for a@b.c already: sign in instead.' })).toMatch(
      /sign in instead/,
    );
    expect(describeAccountProblem({ kind: 'rate-limited', detail: 'Too many sign-in attempts.', retryAfterS: 30, limit: null })).toBe(
      'Too many sign-in attempts.',
    );
  });

  it('are the app’s sentences for a broken connection or a server error', () => {
    expect(accountErrorText(new ApiError({ kind: 'network', detail: 'x' }))).toMatch(/Could not reach/);
    expect(accountErrorText(new Error('boom'))).toMatch(/Could not reach/);
    expect(describeAccountProblem({ kind: 'server', status: 500, detail: 'x' })).toMatch(/HTTP 500/);
  });

  it('sorts a 422’s messages by form field, the sign-in form’s username being the address', () => {
    const err = new ApiError({
      kind: 'invalid',
      detail: 'x',
      errors: [
        { field: 'body.username', message: 'bad address' },
        { field: 'body.password', message: 'too short' },
        { field: 'body.password', message: 'second' },
      ],
    });
    expect(fieldErrors(err)).toEqual({ email: 'bad address', password: 'too short' });
    expect(fieldErrors(new Error('x'))).toEqual({});
  });

  it('give the wait of a 429, and none for another failure', () => {
    expect(retryWaitOf(new ApiError({ kind: 'rate-limited', detail: 'x', retryAfterS: 42, limit: null }))).toBe(42);
    expect(retryWaitOf(new ApiError({ kind: 'unauthorized', detail: 'x' }))).toBeNull();
    expect(retryWaitOf(new Error('x'))).toBeNull();
  });
});
