import { useCallback, useEffect, useReducer, useState } from 'react';

import type { AccountApi } from '../../api/accounts';
import { ApiError } from '../../api/errors';
import { accountReducer, initialAccountState, SESSION_ENDED, type AccountState } from './accountState';
import { accountErrorText } from './problems';

export interface Account {
  state: AccountState;
  /** Rejects with the server's refusal (an ApiError) for the sign-in form to show. */
  signIn: (email: string, password: string) => Promise<void>;
  /** Creates the account, then signs in with it. */
  register: (email: string, password: string) => Promise<void>;
  signOut: () => void;
  /**
   * How many submissions this browser saved anonymously the account took when it signed in here
   * (0 until the server answers, and when there were none): My submissions reloads when it changes.
   */
  adopted: number;
}

/**
 * This tab's account. `enabled`: whether the server has accounts (null until the runtime says).
 * A token kept from before a reload is checked once they are known to be on, and dropped when
 * the server refuses it, or when the server has no accounts (any more).
 */
export function useAccount(api: AccountApi, enabled: boolean | null): Account {
  const [state, dispatch] = useReducer(accountReducer, api.signedIn(), initialAccountState);

  // A 401 to the token (it lapsed while the tab was open) signs the tab out: say so.
  useEffect(
    () =>
      api.onSessionChange(() => {
        if (!api.signedIn()) dispatch({ type: 'sessionEnded' });
      }),
    [api],
  );

  useEffect(() => {
    if (enabled === null || !api.signedIn()) return undefined;
    if (!enabled) {
      api.signOut();
      dispatch({ type: 'signedOut' });
      return undefined;
    }
    const controller = new AbortController();
    api.me(controller.signal).then(
      (user) => dispatch({ type: 'signedIn', user }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        // A sign-in that cannot be confirmed is not used: signed out, the tab's requests carry no token.
        api.signOut();
        const refused = err instanceof ApiError && err.problem.kind === 'unauthorized';
        dispatch({
          type: 'signedOut',
          notice: refused ? SESSION_ENDED : `Your sign-in could not be checked: ${accountErrorText(err)} Sign in again.`,
        });
      },
    );
    return () => controller.abort();
  }, [api, enabled]);

  const [adopted, setAdopted] = useState(0);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const user = await api.signIn(email, password);
      setAdopted(0);
      dispatch({ type: 'signedIn', user });
      // Once per sign-in (a reload's kept token is not one), after it: the person is signed in
      // whatever the answer. A failure leaves the submissions the browser's, adopted at the next.
      api.adoptBrowserSubmissions().then(
        (count) => setAdopted(count),
        () => undefined,
      );
    },
    [api],
  );

  const register = useCallback(
    async (email: string, password: string) => {
      await api.register(email, password);
      await signIn(email, password);
    },
    [api, signIn],
  );

  const signOut = useCallback(() => {
    // Signed out first, so that the session's news (its token gone) is not taken for a lapse.
    dispatch({ type: 'signedOut' });
    api.signOut();
  }, [api]);

  return { state, signIn, register, signOut, adopted };
}
