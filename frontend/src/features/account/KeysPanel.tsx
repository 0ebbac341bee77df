import { useEffect, useId, useReducer, useRef, useState, type FormEvent } from 'react';

import type { AccountApi } from '../../api/accounts';
import type { NewApiKey } from '../../api/types';
import { copyText } from '../../lib/clipboard';
import { ConfirmButton } from '../../lib/ConfirmButton';
import { Dialog } from '../../lib/Dialog';
import { initialKeysState, keysReducer } from './keysState';
import { accountErrorText } from './problems';

interface Props {
  api: Pick<AccountApi, 'keys' | 'createKey' | 'revokeKey'>;
  onClose: () => void;
}

const when = (iso: string) => new Date(iso).toLocaleString();

/** A new key's secret, with Copy: the server shows it in this answer only. */
function NewSecret({ created, onDismiss }: { created: NewApiKey; onDismiss: () => void }) {
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<boolean | null>(null);
  const id = useId();
  return (
    <div
      role="group"
      aria-labelledby={`${id}-title`}
      className="flex flex-col gap-2 rounded-md border border-amber-300 bg-amber-50 p-3 dark:border-amber-700 dark:bg-amber-950/40"
    >
      <p id={`${id}-title`} className="text-sm font-medium">
        The secret of the key “{created.name}”
      </p>
      <p className="text-sm">Copy it now: it will not be shown again. Send it as the X-API-Key header.</p>
      <div className="flex flex-wrap items-center gap-2">
        <input
          ref={input}
          readOnly
          value={created.secret}
          aria-label="Secret of the new key"
          onFocus={(e) => e.currentTarget.select()}
          className="control h-8 min-w-0 flex-1 font-mono text-xs"
          data-testid="key-secret"
        />
        <button type="button" className="btn btn-secondary" onClick={() => void copyText(created.secret, input.current).then(setCopied)}>
          Copy
        </button>
        <button type="button" className="btn btn-secondary" onClick={onDismiss}>
          Done
        </button>
      </div>
      <p role="status" className="text-xs empty:hidden">
        {copied === true ? 'Copied!' : copied === false ? 'Copy the selected secret yourself.' : ''}
      </p>
    </div>
  );
}

/** The account's API keys: make one (its secret shown once), revoke one. */
export function KeysPanel({ api, onClose }: Props) {
  const [state, dispatch] = useReducer(keysReducer, initialKeysState);
  const [name, setName] = useState('');
  const nameInput = useRef<HTMLInputElement>(null);
  const id = useId();
  const { keys, createKey, revokeKey } = api;

  useEffect(() => {
    const controller = new AbortController();
    keys(controller.signal).then(
      (listed) => dispatch({ type: 'loaded', keys: listed }),
      (err: unknown) => {
        if (!controller.signal.aborted) dispatch({ type: 'failed', message: accountErrorText(err) });
      },
    );
    return () => controller.abort();
  }, [keys]);

  const onCreate = (e: FormEvent) => {
    e.preventDefault();
    if (state.creating) return;
    dispatch({ type: 'createBegan' });
    createKey(name.trim()).then(
      (key) => {
        dispatch({ type: 'created', key });
        setName('');
      },
      (err: unknown) => dispatch({ type: 'failed', message: accountErrorText(err) }),
    );
  };

  const revoke = (keyId: number) => {
    dispatch({ type: 'revokeBegan', id: keyId });
    revokeKey(keyId).then(
      () => {
        dispatch({ type: 'revoked', id: keyId });
        nameInput.current?.focus();
      },
      (err: unknown) => dispatch({ type: 'failed', message: accountErrorText(err) }),
    );
  };

  return (
    <Dialog title="API keys" onClose={onClose}>
      <div className="flex flex-col gap-3">
        <p className="text-sm text-slate-600 dark:text-slate-400">Programs run code as you with a key, sent as the X-API-Key header.</p>
        {/* A key's limits are not the sign-in's (the account menu's): /users/me says them only to the key itself. */}
        <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="keys-allowance">
          Each key has its own allowance, counted apart from your account and your other keys. To see a key’s limits, call GET
          /api/v1/users/me with it.
        </p>
        <form onSubmit={onCreate} className="flex flex-wrap items-end gap-2">
          <div className="flex min-w-0 flex-1 flex-col gap-1">
            <label htmlFor={`${id}-name`} className="text-sm font-medium">
              New key’s name
            </label>
            <input
              id={`${id}-name`}
              ref={nameInput}
              value={name}
              onChange={(e) => setName(e.target.value)}
              maxLength={100}
              placeholder="e.g. CI, laptop"
              className="control h-9"
              data-autofocus
            />
          </div>
          <button type="submit" className="btn btn-primary h-9" disabled={state.creating || name.trim() === ''}>
            {state.creating ? 'Creating…' : 'Create key'}
          </button>
        </form>

        {state.created && <NewSecret created={state.created} onDismiss={() => dispatch({ type: 'secretDismissed' })} />}
        <p role="alert" className="text-sm text-red-700 empty:hidden dark:text-red-300">
          {state.error ?? ''}
        </p>
        {state.loading && <p className="text-sm text-slate-600 dark:text-slate-400">Loading your keys…</p>}
        {!state.loading && state.keys.length === 0 && <p className="text-sm text-slate-600 dark:text-slate-400">You have no API keys.</p>}

        {state.keys.length > 0 && (
          <ul aria-label="Your API keys" className="flex flex-col divide-y divide-slate-200 dark:divide-slate-700" data-testid="keys">
            {state.keys.map((key) => (
              <li key={key.id} className="flex flex-col gap-1.5 py-2" data-testid="key">
                <p className="flex flex-wrap items-baseline gap-x-3">
                  <span className="font-medium break-all">{key.name}</span>
                  <code className="font-mono text-xs">{key.prefix}…</code>
                </p>
                <p className="flex flex-wrap gap-x-3 text-xs text-slate-600 dark:text-slate-400">
                  <span>
                    Created <time dateTime={key.created_at}>{when(key.created_at)}</time>
                  </span>
                  <span>
                    {key.last_used_at === null ? (
                      'Never used'
                    ) : (
                      <>
                        Last used <time dateTime={key.last_used_at}>{when(key.last_used_at)}</time>
                      </>
                    )}
                  </span>
                </p>
                <ConfirmButton
                  text={{
                    action: 'Revoke',
                    actionLabel: `Revoke ${key.name}`,
                    busy: 'Revoking…',
                    question: 'Revoke this key? Programs using it will be refused.',
                    confirm: 'Yes, revoke',
                    group: 'Confirm the revocation',
                  }}
                  confirming={state.confirming === key.id}
                  busy={state.revoking === key.id}
                  onAsk={() => dispatch({ type: 'confirmRevoke', id: key.id })}
                  onCancel={() => dispatch({ type: 'cancelRevoke' })}
                  onConfirm={() => revoke(key.id)}
                />
              </li>
            ))}
          </ul>
        )}
      </div>
    </Dialog>
  );
}
