import { useEffect, useRef, useState } from 'react';

import type { AccountApi } from '../../api/accounts';
import { AccountMenu, type AccountMenuHandle, type AccountMenuItem } from './AccountMenu';
import { KeysPanel } from './KeysPanel';
import { SignInDialog } from './SignInDialog';
import { SubmissionsPanel } from './SubmissionsPanel';
import type { Account } from './useAccount';

type Panel = 'sign-in' | 'submissions' | 'keys';

interface Props {
  account: Account;
  api: AccountApi;
  /** Opens a submission of the account in the editor, as its permalink does. */
  onOpenSubmission: (id: string) => void;
  /** A submission of the account was deleted (the editor may hold it). */
  onSubmissionDeleted?: (id: string) => void;
}

/**
 * The header's account control (shown only where the server has accounts): "Sign in", or the
 * signed-in address with its menu (what the account may run, then My submissions, API keys, Sign
 * out), and their dialogs.
 */
export function AccountControl({ account, api, onOpenSubmission, onSubmissionDeleted }: Props) {
  const { state, signIn, register, signOut, adopted } = account;
  const [panel, setPanel] = useState<Panel | null>(null);
  const signInButton = useRef<HTMLButtonElement>(null);
  const menu = useRef<AccountMenuHandle>(null);
  // Signing in or out swaps the control the focus was on (or came back to): it goes to the new one.
  const refocus = useRef(false);
  useEffect(() => {
    if (!refocus.current) return;
    refocus.current = false;
    if (state.kind === 'signed-in') menu.current?.focus();
    else signInButton.current?.focus();
  }, [state.kind]);

  const close = () => setPanel(null);
  const onPick = (item: AccountMenuItem) => {
    if (item === 'sign-out') {
      refocus.current = true;
      signOut();
    } else setPanel(item);
  };
  const signedInWith = (action: typeof signIn) => async (email: string, password: string) => {
    refocus.current = true;
    try {
      await action(email, password);
    } catch (err) {
      refocus.current = false;
      throw err;
    }
  };

  if (state.kind === 'checking') {
    return (
      <span role="status" className="text-sm text-slate-600 dark:text-slate-400">
        Checking your sign-in…
      </span>
    );
  }

  if (state.kind === 'signed-out') {
    return (
      <>
        {state.notice && (
          <span role="status" className="text-xs text-amber-800 dark:text-amber-200" data-testid="account-notice">
            {state.notice}
          </span>
        )}
        <button ref={signInButton} type="button" className="btn btn-secondary" onClick={() => setPanel('sign-in')} data-testid="sign-in">
          Sign in
        </button>
        {panel === 'sign-in' && (
          <SignInDialog signIn={signedInWith(signIn)} register={signedInWith(register)} notice={state.notice} onClose={close} />
        )}
      </>
    );
  }

  return (
    <>
      <AccountMenu ref={menu} email={state.user.email} limits={state.user.limits} onPick={onPick} />
      {panel === 'submissions' && (
        <SubmissionsPanel
          api={api}
          adopted={adopted}
          onOpen={(id) => {
            close();
            onOpenSubmission(id);
          }}
          onDeleted={onSubmissionDeleted}
          onClose={close}
        />
      )}
      {panel === 'keys' && <KeysPanel api={api} onClose={close} />}
    </>
  );
}
