// Whether this tab is signed in, as a pure reducer: useAccount turns the session's news and the
// person's sign-ins and sign-outs into the actions below.
import type { CurrentUser } from '../../api/types';

export type AccountState =
  /** A token kept from before the reload is being checked (GET /users/me). */
  | { kind: 'checking' }
  /** `notice`: why the tab was signed out without the person asking (its token lapsed), or null. */
  | { kind: 'signed-out'; notice: string | null }
  | { kind: 'signed-in'; user: CurrentUser };

export type AccountAction =
  | { type: 'signedIn'; user: CurrentUser }
  /** The person signed out, or a kept token could not be confirmed (`notice` says why). */
  | { type: 'signedOut'; notice?: string }
  /** The tab's token went away (a 401 to it): a signed-in tab is signed out, saying so. */
  | { type: 'sessionEnded' };

export const SESSION_ENDED = 'Your sign-in has expired or is no longer valid: sign in again.';

/** Where a tab starts: checking its kept token, or signed out. */
export function initialAccountState(hasToken: boolean): AccountState {
  return hasToken ? { kind: 'checking' } : { kind: 'signed-out', notice: null };
}

export function accountReducer(state: AccountState, action: AccountAction): AccountState {
  switch (action.type) {
    case 'signedIn':
      return { kind: 'signed-in', user: action.user };
    case 'signedOut':
      return { kind: 'signed-out', notice: action.notice ?? null };
    case 'sessionEnded':
      // Signing out drops the token too: only a tab still signed in hears of it as news.
      return state.kind === 'signed-in' ? { kind: 'signed-out', notice: SESSION_ENDED } : state;
  }
}
