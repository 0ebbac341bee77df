import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { result } from '../../test/fixtures';
import { OutputPanel } from './OutputPanel';

describe('OutputPanel', () => {
  it('invites a first run', () => {
    render(<OutputPanel busy={null} view={null} problem={null} onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('Press Run');
  });

  it('announces a running program in the live region', () => {
    render(<OutputPanel busy="run" view={null} problem={null} onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('Running…');
    expect(screen.getByRole('region', { name: 'Output' })).toHaveAttribute('aria-busy', 'true');
  });

  it('shows the status, metrics and stdout of a success', () => {
    render(<OutputPanel busy={null} view={{ result: result(), source: 'run', savedId: null }} problem={null} onJump={() => {}} />);
    expect(screen.getByTestId('status-badge')).toHaveTextContent('Success');
    expect(screen.getByTestId('metrics')).toHaveTextContent('Wall120 ms');
    expect(screen.getByTestId('metrics')).toHaveTextContent('CPU80 ms');
    expect(screen.getByTestId('metrics')).toHaveTextContent('Peak memory30.0 MiB');
    expect(screen.getByTestId('stdout')).toHaveTextContent('hello');
    expect(screen.queryByTestId('stderr')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('The program ran successfully.');
  });

  it('distinguishes stderr, flags truncation and links the exception line', async () => {
    const onJump = vi.fn();
    const view = {
      result: result({
        status: 'runtime_error',
        exit_code: 1,
        stdout: 'partial',
        stderr: 'Traceback ...',
        truncated: { stdout: true, stderr: false },
        error: { type: 'ZeroDivisionError', message: 'division by zero', line: 3 },
      }),
      source: 'run' as const,
      savedId: null,
    };
    render(<OutputPanel busy={null} view={view} problem={null} onJump={onJump} />);
    expect(screen.getByTestId('status-badge')).toHaveTextContent('Error');
    expect(screen.getByRole('region', { name: 'Standard error' })).toHaveTextContent('Traceback ...');
    expect(screen.getByRole('region', { name: /Standard output/ })).toHaveTextContent('truncated at the output limit');
    expect(screen.getByTestId('metrics')).toHaveTextContent('Exit code1');
    await userEvent.click(screen.getByRole('button', { name: 'Go to line 3' }));
    expect(onJump).toHaveBeenCalledWith(3, 1);
  });

  it.each([
    ['timeout', 'Timed out'],
    ['memory_limit', 'Memory limit'],
    ['output_limit', 'Output limit'],
    ['internal_error', 'Internal error'],
  ] as const)('labels the %s status', (status, label) => {
    render(<OutputPanel busy={null} view={{ result: result({ status }), source: 'run', savedId: null }} problem={null} onJump={() => {}} />);
    expect(screen.getByTestId('status-badge')).toHaveTextContent(label);
  });

  it('lists policy violations, each a button to its place', async () => {
    const onJump = vi.fn();
    const problem = {
      problem: {
        kind: 'policy' as const,
        detail: 'rejected',
        violations: [{ line: 2, col: 8, end_line: 2, end_col: 10, rule: 'import-not-allowed', message: "import of 'os' is not allowed" }],
      },
      at: Date.now(),
    };
    render(<OutputPanel busy={null} view={null} problem={problem} onJump={onJump} />);
    expect(screen.getByRole('status')).toHaveTextContent('it was not run');
    await userEvent.click(screen.getByRole('button', { name: /line 2:8/ }));
    expect(onJump).toHaveBeenCalledWith(2, 8);
  });

  it('says when a save was refused because the run failed', () => {
    const view = { result: result({ status: 'timeout' }), source: 'save' as const, savedId: null };
    render(<OutputPanel busy={null} view={view} problem={null} onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('Not saved: only successful runs are saved.');
  });
});
