import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '../../api/errors';
import { SignInDialog } from './SignInDialog';

const tooMany = (retryAfterS: number) =>
  new ApiError({
    kind: 'rate-limited',
    detail: `Too many sign-in attempts from your address (limit: 5/minute). Try again in ${retryAfterS} s.`,
    retryAfterS,
    limit: null,
  });

// The countdown's clock and ticks are the test's; Testing Library's own waits stay real.
beforeEach(() => vi.useFakeTimers({ toFake: ['Date', 'setInterval', 'clearInterval'] }));
afterEach(() => vi.useRealTimers());

function setup(signIn = vi.fn<(email: string, password: string) => Promise<void>>()) {
  const register = vi.fn<(email: string, password: string) => Promise<void>>();
  const user = userEvent.setup();
  render(<SignInDialog signIn={signIn} register={register} notice={null} onClose={() => {}} />);
  return { signIn, register, user };
}

const submit = (name: string) => screen.getByRole('button', { name });
const wait = (ms: number) => act(() => void vi.advanceTimersByTime(ms));

describe('SignInDialog', () => {
  it('counts down the wait of a 429, the form refused until it ends', async () => {
    const { signIn, user } = setup();
    signIn.mockRejectedValueOnce(tooMany(42)).mockResolvedValueOnce(undefined);
    await user.type(screen.getByLabelText('E-mail address'), 'ada@example.org');
    await user.type(screen.getByLabelText('Password'), 'password1{Enter}');
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('Too many attempts; try again in 42 s.'));
    expect(submit('Sign in')).toBeDisabled();

    wait(1_000);
    expect(screen.getByRole('alert')).toHaveTextContent('Too many attempts; try again in 41 s.');
    // Enter in a field does not send it either.
    await user.type(screen.getByLabelText('Password'), '{Enter}');
    expect(signIn).toHaveBeenCalledTimes(1);

    wait(41_000);
    expect(screen.getByRole('alert')).toHaveTextContent('You can try again now.');
    expect(submit('Sign in')).toBeEnabled();
    await user.click(submit('Sign in'));
    expect(signIn).toHaveBeenCalledTimes(2);
  });

  it('keeps the wait when switching to Create an account: the server counts both', async () => {
    const { signIn, register, user } = setup();
    signIn.mockRejectedValueOnce(tooMany(10));
    await user.type(screen.getByLabelText('E-mail address'), 'ada@example.org');
    await user.type(screen.getByLabelText('Password'), 'password1{Enter}');
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent('try again in 10 s'));
    await user.click(screen.getByRole('button', { name: 'No account yet? Create one' }));
    expect(screen.getByRole('alert')).toHaveTextContent('Too many attempts; try again in 10 s.');
    expect(submit('Create account')).toBeDisabled();
    wait(10_000);
    expect(submit('Create account')).toBeEnabled();
    expect(register).not.toHaveBeenCalled();
  });

  it('shows another refusal as the server says it, with no wait', async () => {
    const wrong = 'The e-mail address or the password is wrong.';
    const { signIn, user } = setup();
    signIn.mockRejectedValueOnce(new ApiError({ kind: 'unauthorized', detail: wrong }));
    await user.type(screen.getByLabelText('Password'), 'nope{Enter}');
    await waitFor(() => expect(screen.getByRole('alert')).toHaveTextContent(wrong));
    expect(submit('Sign in')).toBeEnabled();
  });
});
