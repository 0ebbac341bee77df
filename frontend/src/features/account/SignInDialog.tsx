import { useId, useState, type FormEvent } from 'react';

import { Dialog } from '../../lib/Dialog';
import { useCountdown } from '../../lib/useCountdown';
import { accountErrorText, fieldErrors, retryWaitOf } from './problems';

type Mode = 'sign-in' | 'register';

interface Props {
  signIn: (email: string, password: string) => Promise<void>;
  register: (email: string, password: string) => Promise<void>;
  /** Why the tab was signed out, if it was not the person's doing. */
  notice: string | null;
  onClose: () => void;
}

/**
 * The wait after too many attempts, counting down. Said once as it comes: the seconds going down
 * are not announced again each second (a screen reader reads the number left when asked).
 */
function AttemptsWait({ remainingS }: { remainingS: number }) {
  if (remainingS <= 0) return <>You can try again now.</>;
  return (
    <>
      Too many attempts; try again in <span aria-live="off">{remainingS}</span> s.
    </>
  );
}

const COPY: Record<Mode, { title: string; submit: string; busy: string; switchTo: string }> = {
  'sign-in': { title: 'Sign in', submit: 'Sign in', busy: 'Signing in…', switchTo: 'No account yet? Create one' },
  register: { title: 'Create an account', submit: 'Create account', busy: 'Creating…', switchTo: 'Have an account? Sign in' },
};

/**
 * Sign in, or create an account (then signed in with it): the server's refusals show as text. Too
 * many attempts (a 429) count down the wait the server asks for, the form refused until it ends.
 */
export function SignInDialog({ signIn, register, notice, onClose }: Props) {
  const [mode, setMode] = useState<Mode>('sign-in');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  /** When the server takes an attempt again, after a 429 (epoch ms): the same for both forms. */
  const [retryAt, setRetryAt] = useState<number | null>(null);
  const remaining = useCountdown(retryAt);
  const waiting = remaining !== null && remaining > 0;
  const id = useId();
  const copy = COPY[mode];
  const fields = fieldErrors(error);

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (busy || waiting) return;
    setBusy(true);
    setError(null);
    setRetryAt(null);
    (mode === 'sign-in' ? signIn : register)(email.trim(), password).then(onClose, (err: unknown) => {
      const wait = retryWaitOf(err);
      setBusy(false);
      setError(err);
      if (wait !== null) setRetryAt(Date.now() + wait * 1000);
    });
  };

  const fieldError = (name: 'email' | 'password') =>
    fields[name] ? (
      <p id={`${id}-${name}-error`} className="text-xs text-red-700 dark:text-red-300">
        {fields[name]}
      </p>
    ) : null;

  return (
    <Dialog title={copy.title} onClose={onClose}>
      {/* Unchecked by the browser: the server's messages say what is wrong, in one voice. */}
      <form noValidate onSubmit={onSubmit} className="flex flex-col gap-3" aria-describedby={notice ? `${id}-notice` : undefined}>
        {notice && (
          <p
            id={`${id}-notice`}
            className="rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:bg-amber-950/50 dark:text-amber-100"
          >
            {notice}
          </p>
        )}
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-email`} className="text-sm font-medium">
            E-mail address
          </label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete={mode === 'sign-in' ? 'username' : 'email'}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            aria-invalid={fields.email ? true : undefined}
            aria-describedby={fields.email ? `${id}-email-error` : undefined}
            className="control h-9"
            data-autofocus
          />
          {fieldError('email')}
        </div>
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-password`} className="text-sm font-medium">
            Password
          </label>
          <input
            id={`${id}-password`}
            type="password"
            autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={fields.password ? true : undefined}
            aria-describedby={
              [fields.password ? `${id}-password-error` : '', mode === 'register' ? `${id}-password-hint` : ''].filter(Boolean).join(' ') ||
              undefined
            }
            className="control h-9"
          />
          {mode === 'register' && (
            <p id={`${id}-password-hint`} className="text-xs text-slate-600 dark:text-slate-400">
              8 to 256 characters.
            </p>
          )}
          {fieldError('password')}
        </div>
        <p role="alert" className="text-sm text-red-700 empty:hidden dark:text-red-300">
          {remaining !== null ? <AttemptsWait remainingS={remaining} /> : error !== null ? accountErrorText(error) : ''}
        </p>
        <div className="flex flex-wrap items-center gap-2">
          <button type="submit" className="btn btn-primary" disabled={busy || waiting}>
            {busy ? copy.busy : copy.submit}
          </button>
          <button
            type="button"
            className="btn text-sky-700 underline hover:text-sky-900 dark:text-sky-300"
            onClick={() => {
              setMode(mode === 'sign-in' ? 'register' : 'sign-in');
              setError(null);
              // The server counts both forms' attempts together: a wait still running stays.
              if (!waiting) setRetryAt(null);
            }}
          >
            {copy.switchTo}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
