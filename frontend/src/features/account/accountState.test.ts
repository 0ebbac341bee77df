import { describe, expect, it } from 'vitest';

import { user } from '../../test/fixtures';
import { accountReducer, initialAccountState, SESSION_ENDED, type AccountState } from './accountState';

const signedIn: AccountState = { kind: 'signed-in', user: user() };
const signedOut: AccountState = { kind: 'signed-out', notice: null };

describe('accountReducer', () => {
  it('starts checking a kept token, or signed out without one', () => {
    expect(initialAccountState(true)).toEqual({ kind: 'checking' });
    expect(initialAccountState(false)).toEqual(signedOut);
  });

  it('signs in and out', () => {
    expect(accountReducer(signedOut, { type: 'signedIn', user: user() })).toEqual(signedIn);
    expect(accountReducer(signedIn, { type: 'signedOut' })).toEqual(signedOut);
    expect(accountReducer({ kind: 'checking' }, { type: 'signedOut', notice: 'why' })).toEqual({ kind: 'signed-out', notice: 'why' });
  });

  it('says so when the session of a signed-in tab ends, and ignores it otherwise', () => {
    expect(accountReducer(signedIn, { type: 'sessionEnded' })).toEqual({ kind: 'signed-out', notice: SESSION_ENDED });
    expect(accountReducer(signedOut, { type: 'sessionEnded' })).toBe(signedOut);
    const checking: AccountState = { kind: 'checking' };
    expect(accountReducer(checking, { type: 'sessionEnded' })).toBe(checking);
  });
});
