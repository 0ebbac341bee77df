import { act, render, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ProblemBanner } from './ProblemBanner';

describe('ProblemBanner', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('counts the rate-limit wait down to zero', () => {
    render(<ProblemBanner view={{ problem: { kind: 'rate-limited', detail: 'x', retryAfterS: 3, limit: null }, at: Date.now() }} />);
    expect(screen.getByTestId('problem')).toHaveTextContent('You can run again in 3 seconds.');
    act(() => void vi.advanceTimersByTime(2_000));
    expect(screen.getByTestId('problem')).toHaveTextContent('You can run again in 1 second.');
    act(() => void vi.advanceTimersByTime(1_500));
    expect(screen.getByTestId('problem')).toHaveTextContent('You can run again now.');
  });

  it('names the limit while counting down', () => {
    render(
      <ProblemBanner
        view={{ problem: { kind: 'rate-limited', detail: 'x', retryAfterS: 2, limit: '10 runs a minute' }, at: Date.now() }}
      />,
    );
    expect(screen.getByTestId('problem')).toHaveTextContent(
      'Too many runs in a short time (limit: 10 runs a minute). You can run again in 2 seconds.',
    );
    act(() => void vi.advanceTimersByTime(2_500));
    expect(screen.getByTestId('problem')).toHaveTextContent(
      'Too many runs in a short time (limit: 10 runs a minute). You can run again now.',
    );
  });

  it('shows the sentence of a refusal for the client’s share, counting its wait down, in amber', () => {
    const detail = '2 of your runs are still running, as many as one client may have at once; wait for one to finish (try again in 2 s).';
    render(<ProblemBanner view={{ problem: { kind: 'client-share', detail, retryAfterS: 2 }, at: Date.now() }} />);
    const banner = screen.getByTestId('problem');
    expect(banner).toHaveTextContent(
      '2 of your runs are still running, as many as one client may have at once; wait for one to finish. You can run again in 2 seconds.',
    );
    expect(banner).toHaveAttribute('data-kind', 'client-share');
    expect(banner.className).toContain('amber');
    act(() => void vi.advanceTimersByTime(2_500));
    expect(banner).toHaveTextContent('wait for one to finish. You can run again now.');
  });

  it('explains a network failure', () => {
    render(<ProblemBanner view={{ problem: { kind: 'network', detail: 'Network Error' }, at: Date.now() }} />);
    expect(screen.getByTestId('problem')).toHaveTextContent(/Could not reach the execbox server/);
  });

  it('answers a syntax error as Python would, without a word of policy', () => {
    const violation = {
      line: 1,
      col: 2,
      end_line: null,
      end_col: null,
      rule: 'syntax-error',
      message: 'IndentationError: unexpected indent (line 1)',
    };
    const problem = { kind: 'policy' as const, detail: 'x', violations: [violation] };
    render(<ProblemBanner view={{ problem, at: Date.now() }} />);
    const banner = screen.getByTestId('problem');
    expect(banner).toHaveTextContent('IndentationError: unexpected indent (line 1). The code was not run; see the marked line.');
    expect(banner).not.toHaveTextContent(/policy/i);
  });

  it('still calls a broken rule of the policy one', () => {
    const violation = { line: 1, col: 8, end_line: 1, end_col: 10, rule: 'import-not-allowed', message: "import of 'os' is not allowed" };
    const problem = { kind: 'policy' as const, detail: 'x', violations: [violation] };
    render(<ProblemBanner view={{ problem, at: Date.now() }} />);
    expect(screen.getByTestId('problem')).toHaveTextContent('The code breaks a rule of the sandbox policy; it was not run.');
  });

  it('lists the fields of an invalid request', () => {
    const problem = { kind: 'invalid' as const, detail: 'Bad body.', errors: [{ field: 'body.stdin', message: 'too long' }] };
    render(<ProblemBanner view={{ problem, at: Date.now() }} />);
    expect(screen.getByTestId('problem')).toHaveTextContent('body.stdin: too long');
  });
});
