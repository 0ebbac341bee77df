import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ProblemBanner } from './ProblemBanner';

describe('ProblemBanner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts the rate-limit wait down to zero', () => {
    render(<ProblemBanner view={{ problem: { kind: 'rate-limited', detail: 'x', retryAfterS: 3 }, at: Date.now() }} />);
    expect(screen.getByTestId('problem')).toHaveTextContent('You can run again in 3 seconds.');
    act(() => vi.advanceTimersByTime(2_000));
    expect(screen.getByTestId('problem')).toHaveTextContent('You can run again in 1 second.');
    act(() => vi.advanceTimersByTime(1_500));
    expect(screen.getByTestId('problem')).toHaveTextContent('You can run again now.');
  });

  it('explains a network failure', () => {
    render(<ProblemBanner view={{ problem: { kind: 'network', detail: 'Network Error' }, at: Date.now() }} />);
    expect(screen.getByTestId('problem')).toHaveTextContent(/Could not reach the execbox server/);
  });

  it('lists the fields of an invalid request', () => {
    const problem = { kind: 'invalid' as const, detail: 'Bad body.', errors: [{ field: 'body.stdin', message: 'too long' }] };
    render(<ProblemBanner view={{ problem, at: Date.now() }} />);
    expect(screen.getByTestId('problem')).toHaveTextContent('body.stdin: too long');
  });
});
