import { act, render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { AccountApi } from '../../api/accounts';
import { ApiError } from '../../api/errors';
import { fakeAccountApi, submissionSummary, user } from '../../test/fixtures';
import { SESSION_ENDED } from './accountState';
import { AccountControl } from './AccountControl';
import { useAccount } from './useAccount';

function Harness({ api, enabled = true }: { api: AccountApi; enabled?: boolean | null }) {
  const account = useAccount(api, enabled);
  return <AccountControl account={account} api={api} onOpenSubmission={() => {}} />;
}

/** An account api whose session is a variable, as the real one's (signIn keeps a token, signOut drops it). */
function sessionApi(overrides: Partial<AccountApi> = {}, token: string | null = null) {
  let current = token;
  const listeners = new Set<() => void>();
  const set = (next: string | null) => {
    current = next;
    listeners.forEach((l) => l());
  };
  const signIn = vi.fn(() => {
    set('jwt');
    return Promise.resolve(user());
  });
  const api = fakeAccountApi({
    signedIn: () => current !== null,
    onSessionChange: (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    signIn,
    signOut: () => set(null),
    ...overrides,
  });
  return { api, signIn, expire: () => set(null) };
}

async function openSignIn(): Promise<HTMLElement> {
  await userEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  return screen.getByRole('dialog', { name: 'Sign in' });
}

describe('AccountControl', () => {
  it('signs in from a dialog, then shows the address with its menu; Sign out signs out', async () => {
    const { api, signIn } = sessionApi();
    render(<Harness api={api} />);
    const dialog = await openSignIn();
    expect(screen.getByLabelText('E-mail address')).toHaveFocus();
    await userEvent.type(screen.getByLabelText('E-mail address'), ' ada@example.org ');
    await userEvent.type(screen.getByLabelText('Password'), 'password1{Enter}');
    expect(signIn).toHaveBeenCalledWith('ada@example.org', 'password1');
    await waitFor(() => expect(dialog).not.toBeInTheDocument());
    const menuButton = screen.getByRole('button', { name: 'Account: ada@example.org' });
    await waitFor(() => expect(menuButton).toHaveFocus());
    await userEvent.keyboard('{ArrowDown}');
    expect(screen.getAllByRole('menuitem').map((i) => i.textContent)).toEqual(['My submissions', 'API keys', 'Sign out']);
    expect(screen.getByRole('menuitem', { name: 'My submissions' })).toHaveFocus();
    expect(screen.getByRole('menu')).toHaveAccessibleDescription('Your limits: 30 runs a minute, 4 at once');
    await userEvent.keyboard('{End}{Enter}');
    await waitFor(() => expect(screen.getByRole('button', { name: 'Sign in' })).toHaveFocus());
    expect(api.signedIn()).toBe(false);
  });

  it('shows what the account may run atop its menu, in words a screen reader says as the menu opens', async () => {
    const me = vi.fn().mockResolvedValue(user({ limits: { rate_limit: '100/hour;10/minute', runs_alive: 2 } }));
    render(<Harness api={sessionApi({ me }, 'kept').api} />);
    const menuButton = await screen.findByRole('button', { name: 'Account: ada@example.org' });
    menuButton.focus();
    await userEvent.keyboard('{ArrowDown}');
    const menu = screen.getByRole('menu');
    expect(menu).toHaveAccessibleDescription('Your limits: 10 runs a minute, 100 an hour, 2 at once');
    expect(screen.getByTestId('account-limits')).toHaveTextContent('10 runs a minute, 100 an hour ·');
    // The limits are no item: the arrows go from item to item as before.
    expect(screen.getAllByRole('menuitem')).toHaveLength(3);
    expect(screen.getByRole('menuitem', { name: 'My submissions' })).toHaveFocus();
    // A press on them keeps the menu open.
    await userEvent.click(screen.getByTestId('account-limits'));
    expect(screen.getByRole('menu')).toBeInTheDocument();
  });

  it('says when the account has no rate limit and no share of its own', async () => {
    const me = vi.fn().mockResolvedValue(user({ limits: { rate_limit: null, runs_alive: null } }));
    render(<Harness api={sessionApi({ me }, 'kept').api} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Account: ada@example.org' }));
    expect(screen.getByRole('menu')).toHaveAccessibleDescription('Your limits: no rate limit, no cap on runs at once');
  });

  it('shows the server’s refusal as text, and a field’s message beside it', async () => {
    const wrong = 'The e-mail address or the password is wrong.';
    const signIn = vi
      .fn()
      .mockRejectedValueOnce(new ApiError({ kind: 'unauthorized', detail: wrong }))
      .mockRejectedValueOnce(
        new ApiError({
          kind: 'invalid',
          detail: 'The request is invalid.',
          errors: [{ field: 'body.username', message: 'Not an address.' }],
        }),
      );
    render(<Harness api={sessionApi({ signIn }).api} />);
    const dialog = await openSignIn();
    await userEvent.type(screen.getByLabelText('E-mail address'), 'ada@example.org');
    await userEvent.type(screen.getByLabelText('Password'), 'nope');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(wrong);
    await userEvent.click(within(dialog).getByRole('button', { name: 'Sign in' }));
    const email = screen.getByLabelText('E-mail address');
    await waitFor(() => expect(email).toHaveAttribute('aria-invalid', 'true'));
    expect(email).toHaveAccessibleDescription('Not an address.');
  });

  it('creates an account, then signs in with it', async () => {
    const register = vi.fn().mockResolvedValue(user());
    const adoptBrowserSubmissions = vi.fn().mockResolvedValue(0);
    const { api, signIn } = sessionApi({ register, adoptBrowserSubmissions });
    render(<Harness api={api} />);
    const dialog = await openSignIn();
    await userEvent.click(within(dialog).getByRole('button', { name: 'No account yet? Create one' }));
    expect(dialog).toHaveAccessibleName('Create an account');
    expect(screen.getByLabelText('Password')).toHaveAttribute('autocomplete', 'new-password');
    await userEvent.type(screen.getByLabelText('E-mail address'), 'ada@example.org');
    await userEvent.type(screen.getByLabelText('Password'), 'password1');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Create account' }));
    expect(await screen.findByRole('button', { name: 'Account: ada@example.org' })).toBeInTheDocument();
    expect(register).toHaveBeenCalledWith('ada@example.org', 'password1');
    expect(signIn).toHaveBeenCalledWith('ada@example.org', 'password1');
    expect(adoptBrowserSubmissions).toHaveBeenCalledTimes(1);
  });

  it('hands the browser’s anonymous submissions to the account once signed in, and My submissions shows them', async () => {
    let adopt: (count: number) => void = () => {};
    const adoptBrowserSubmissions = vi.fn(() => new Promise<number>((resolve) => (adopt = resolve)));
    const mySubmissions = vi
      .fn<AccountApi['mySubmissions']>()
      .mockResolvedValueOnce({ items: [], next_cursor: null })
      .mockResolvedValueOnce({ items: [submissionSummary({ id: 'anon' })], next_cursor: null });
    const { api } = sessionApi({ adoptBrowserSubmissions, mySubmissions });
    render(<Harness api={api} />);
    await openSignIn();
    await userEvent.type(screen.getByLabelText('E-mail address'), 'ada@example.org');
    await userEvent.type(screen.getByLabelText('Password'), 'password1{Enter}');
    const menuButton = await screen.findByRole('button', { name: 'Account: ada@example.org' });
    expect(adoptBrowserSubmissions).toHaveBeenCalledTimes(1);

    // Opened before the server answers: the list reloads when it does, and says why.
    await userEvent.click(menuButton);
    await userEvent.click(screen.getByRole('menuitem', { name: 'My submissions' }));
    expect(await screen.findByTestId('submissions-empty')).toBeInTheDocument();
    act(() => adopt(2));
    expect(await screen.findByTestId('submission')).toBeInTheDocument();
    expect(screen.getByTestId('submissions-adopted')).toHaveTextContent(
      'The 2 submissions you saved in this browser before signing in are now your account’s.',
    );
    expect(mySubmissions).toHaveBeenCalledTimes(2);
  });

  it('stays signed in, quietly, when the adoption fails; a kept token after a reload adopts nothing', async () => {
    const adoptBrowserSubmissions = vi.fn().mockRejectedValue(new ApiError({ kind: 'server', status: 503, detail: 'down' }));
    const { api } = sessionApi({ adoptBrowserSubmissions });
    const { unmount } = render(<Harness api={api} />);
    await openSignIn();
    await userEvent.type(screen.getByLabelText('E-mail address'), 'ada@example.org');
    await userEvent.type(screen.getByLabelText('Password'), 'password1{Enter}');
    expect(await screen.findByRole('button', { name: 'Account: ada@example.org' })).toBeInTheDocument();
    await waitFor(() => expect(adoptBrowserSubmissions).toHaveBeenCalledTimes(1));
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
    expect(screen.queryByTestId('account-notice')).not.toBeInTheDocument();
    unmount();

    // The tab reloads: its kept token is checked, not a new sign-in.
    render(<Harness api={sessionApi({ adoptBrowserSubmissions, me: vi.fn().mockResolvedValue(user()) }, 'kept').api} />);
    expect(await screen.findByRole('button', { name: 'Account: ada@example.org' })).toBeInTheDocument();
    expect(adoptBrowserSubmissions).toHaveBeenCalledTimes(1);
  });

  it('closes with Escape, giving the focus back, and keeps the page’s keys from acting behind it', async () => {
    const onWindowKey = vi.fn();
    window.addEventListener('keydown', onWindowKey);
    render(<Harness api={sessionApi().api} />);
    const dialog = await openSignIn();
    await userEvent.keyboard('{Escape}');
    expect(dialog).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Sign in' })).toHaveFocus();
    expect(onWindowKey).not.toHaveBeenCalled();
    window.removeEventListener('keydown', onWindowKey);
  });

  it('checks a token kept from before a reload, and signs in with it', async () => {
    const me = vi.fn().mockResolvedValue(user());
    render(<Harness api={sessionApi({ me }, 'kept').api} />);
    expect(screen.getByRole('status')).toHaveTextContent('Checking your sign-in');
    expect(await screen.findByRole('button', { name: 'Account: ada@example.org' })).toBeInTheDocument();
  });

  it('drops a kept token the server refuses, saying so', async () => {
    const { api } = sessionApi({ me: vi.fn().mockRejectedValue(new ApiError({ kind: 'unauthorized', detail: 'expired' })) }, 'kept');
    render(<Harness api={api} />);
    expect(await screen.findByTestId('account-notice')).toHaveTextContent(SESSION_ENDED);
    expect(api.signedIn()).toBe(false);
  });

  it('says so when the session ends while signed in (a 401 to its token)', async () => {
    const { api, expire } = sessionApi({ me: vi.fn().mockResolvedValue(user()) }, 'kept');
    render(<Harness api={api} />);
    await screen.findByRole('button', { name: 'Account: ada@example.org' });
    act(() => expire());
    expect(screen.getByTestId('account-notice')).toHaveTextContent(SESSION_ENDED);
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('drops a kept token where the server has no accounts (any more)', () => {
    const { api } = sessionApi({}, 'kept');
    render(<Harness api={api} enabled={false} />);
    expect(api.signedIn()).toBe(false);
  });
});
