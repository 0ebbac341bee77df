import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { liveView as live, result } from '../../test/fixtures';
import { OutputPanel } from './OutputPanel';

const TABLE = { mime: 'text/html' as const, data: '<table><tr><td>7</td></tr></table>' };

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
    render(
      <OutputPanel busy={null} view={{ result: result(), source: 'run', savedId: null, origin: null }} problem={null} onJump={() => {}} />,
    );
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
      origin: null,
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
    ['stopped', 'Stopped'],
  ] as const)('labels the %s status', (status, label) => {
    render(
      <OutputPanel
        busy={null}
        view={{ result: result({ status }), source: 'run', savedId: null, origin: null }}
        problem={null}
        onJump={() => {}}
      />,
    );
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

  it('says a run was shared, failing or not, and keeps it in view while it is sent', () => {
    const view = { result: result({ status: 'timeout' }), source: 'run' as const, savedId: null, origin: null };
    const { rerender } = render(<OutputPanel busy="share" view={view} problem={null} sharing onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('Sharing…');
    expect(screen.getByTestId('status-badge')).toHaveTextContent('Timed out');
    expect(screen.getByTestId('stdout')).toHaveTextContent('hello');
    rerender(<OutputPanel busy={null} view={{ ...view, savedId: 'abc' }} problem={null} onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('The program ran out of time and was stopped. Shared: the permalink above');
    expect(screen.getByRole('status')).not.toHaveTextContent(/Not saved/);
  });

  it('says a Share is running the code first', () => {
    render(<OutputPanel busy="run" view={null} problem={null} live={live()} sharing onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('Running, then sharing…');
  });

  it('keeps a run a share failed to send in view, under a banner worded for the share', () => {
    const view = { result: result({ status: 'runtime_error', stdout: 'partial\n' }), source: 'run' as const, savedId: null, origin: null };
    const problem = { problem: { kind: 'too-large' as const, detail: 'too big' }, at: Date.now(), action: 'share' as const };
    render(<OutputPanel busy={null} view={view} problem={problem} onJump={() => {}} />);
    expect(screen.getByTestId('problem')).toHaveTextContent('This run is too large to share');
    expect(screen.getByTestId('stdout')).toHaveTextContent('partial');
    expect(screen.getByTestId('status-badge')).toHaveTextContent('Error');
    expect(screen.queryByTestId('previous-output')).toBeNull();
  });

  it('shows a live run’s output as it arrives, with the typed lines marked as input', () => {
    const view = live({
      stdout: [
        { kind: 'out', text: 'Name? ' },
        { kind: 'in', text: 'Ada\n' },
        { kind: 'out', text: 'Hi Ada\n' },
      ],
      stderr: 'warning\n',
    });
    render(<OutputPanel busy="run" view={null} problem={null} live={view} onJump={() => {}} />);
    expect(screen.getByTestId('stdout')).toHaveTextContent('Name? Ada Hi Ada');
    const typed = screen.getByTestId('stdout').querySelector('[data-kind="stdin"]');
    expect(typed).toHaveTextContent('Ada');
    expect(screen.getByTestId('stderr')).toHaveTextContent('warning');
    expect(screen.queryByTestId('status-badge')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Running…');
  });

  it('waits for output, and says when a stop is on its way', () => {
    const { rerender } = render(
      <OutputPanel busy="run" view={null} problem={null} live={live({ phase: 'connecting' })} onJump={() => {}} />,
    );
    expect(screen.getByTestId('stdout')).toHaveTextContent('Waiting for output…');
    rerender(<OutputPanel busy="run" view={null} problem={null} live={live({ stopping: true })} onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('Stopping…');
  });

  it('says, in words and to screen readers, when the program waits for input', () => {
    const { rerender } = render(
      <OutputPanel busy="run" view={null} problem={null} live={live({ waiting: true, runningSince: Date.now() })} onJump={() => {}} />,
    );
    expect(screen.getByTestId('waiting-for-input')).toHaveTextContent('Waiting for input');
    expect(screen.getByRole('status')).toHaveTextContent('Waiting for input: the program is reading a line.');
    expect(screen.getByTestId('stdout')).toHaveTextContent('(no output yet)');
    expect(screen.getByTestId('elapsed')).toBeInTheDocument();
    rerender(
      <OutputPanel busy="run" view={null} problem={null} live={live({ waiting: false, runningSince: Date.now() })} onJump={() => {}} />,
    );
    expect(screen.queryByTestId('waiting-for-input')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Running…');
  });

  it.each([
    [{ position: 2, reason: 'server_full' }, 'Waiting for a free sandbox (2 ahead)', 'every sandbox of the server is running a program'],
    [{ position: 0, reason: 'server_full' }, 'Waiting for a free sandbox (next in line)', 'yours starts as soon as one is free'],
    [{ position: 1, reason: 'client_share' }, 'Waiting for your other runs to finish (1 ahead)', 'this one starts when one of them ends'],
    [
      { position: 0, reason: 'client_share' },
      'Waiting for your other runs to finish (next in line)',
      'as many runs going as the server allows',
    ],
    [{ position: 3, reason: null }, 'Waiting for its turn (3 ahead)', 'the server starts it when its turn comes'],
  ] as const)('says where a queued run is in the line (%o), in words and in the live region', (queue, label, why) => {
    render(<OutputPanel busy="run" view={null} problem={null} live={live({ phase: 'queued', queue })} onJump={() => {}} />);
    expect(screen.getByTestId('queued')).toHaveTextContent(label);
    expect(screen.getByTestId('run-progress')).toHaveAttribute('data-queued', 'true');
    expect(screen.getByRole('status')).toHaveTextContent(`${label}: `);
    expect(screen.getByRole('status')).toHaveTextContent(why);
    // No clock before the run starts, and no promise of output yet.
    expect(screen.queryByTestId('elapsed')).toBeNull();
    expect(screen.getByTestId('stdout')).toHaveTextContent('The program starts when its turn comes.');
  });

  it('counts from the start once a queued run starts, and says Stopping rather than the line once Stop is asked', () => {
    const queue = { position: 0, reason: 'server_full' } as const;
    const { rerender } = render(
      <OutputPanel busy="run" view={null} problem={null} live={live({ phase: 'queued', queue, stopping: true })} onJump={() => {}} />,
    );
    expect(screen.queryByTestId('queued')).toBeNull();
    expect(screen.getByRole('status')).toHaveTextContent('Stopping…');
    rerender(
      <OutputPanel busy="run" view={null} problem={null} live={live({ phase: 'running', runningSince: Date.now() })} onJump={() => {}} />,
    );
    expect(screen.queryByTestId('queued')).toBeNull();
    expect(screen.getByTestId('elapsed')).toBeInTheDocument();
    expect(screen.getByRole('status')).toHaveTextContent('Running…');
  });

  it('says a queued run was stopped before it started', () => {
    render(<OutputPanel busy={null} view={null} problem={null} live={live({ phase: 'over', cancelled: true })} onJump={() => {}} />);
    expect(screen.getByRole('status')).toHaveTextContent('Stopped before the program started.');
    expect(screen.queryByTestId('run-progress')).toBeNull();
  });

  it('shows the sentence of a refusal for the client’s share where the run was refused', () => {
    const detail = '2 of your runs are still running, as many as one client may have at once; wait for one to finish (try again in 2 s).';
    const problem = { problem: { kind: 'client-share' as const, detail, retryAfterS: 2 }, at: Date.now() };
    render(<OutputPanel busy={null} view={null} problem={problem} onJump={() => {}} />);
    expect(screen.getByTestId('problem')).toHaveTextContent(
      '2 of your runs are still running, as many as one client may have at once; wait for one to finish.',
    );
    expect(screen.getByRole('status')).toHaveTextContent('2 of your runs are still running');
  });

  it('puts the live run’s input field right under its output, in the panel', () => {
    const input = { open: true, waiting: true, onSend: () => true, onClose: () => {} };
    const view = live({ waiting: true, stdout: [{ kind: 'out', text: 'name? ' }], stderr: 'note\n' });
    render(<OutputPanel busy="run" view={null} problem={null} live={view} input={input} onJump={() => {}} />);
    const panel = screen.getByRole('region', { name: 'Output' });
    const field = screen.getByTestId('live-stdin');
    expect(panel).toContainElement(field);
    // After stdout, before stderr, in the document's (and the tab) order.
    const stdout = screen.getByTestId('stdout');
    const stderr = screen.getByTestId('stderr');
    expect(stdout.compareDocumentPosition(field) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(field.compareDocumentPosition(stderr) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(field).toHaveFocus();
  });

  it('names the limit that ended a run, and that it was waiting for input', () => {
    const timedOut = result({ status: 'timeout', stdout: 'name? ', limit_hit: { name: 'wall_time_s', value: 2 }, waiting_for_input: true });
    render(
      <OutputPanel busy={null} view={{ result: timedOut, source: 'run', savedId: null, origin: null }} problem={null} onJump={() => {}} />,
    );
    const sentence = 'The program ran out of time: the wall-time limit of 2 s. It was waiting for input that never came';
    expect(screen.getByRole('status')).toHaveTextContent(sentence);
    expect(screen.getByTestId('status-badge')).toHaveAttribute('title', expect.stringContaining(sentence));
    expect(screen.queryByTestId('run-progress')).toBeNull();
  });

  it('shows no empty output box while an HTTP fallback run is in flight', () => {
    render(<OutputPanel busy="run" view={null} problem={null} live={live({ transport: 'http' })} onJump={() => {}} />);
    expect(screen.queryByTestId('stdout')).toBeNull();
  });

  it('keeps a dropped run’s output under the banner', () => {
    const problem = { problem: { kind: 'disconnected' as const, detail: 'closed' }, at: Date.now() };
    render(
      <OutputPanel
        busy={null}
        view={null}
        problem={problem}
        live={live({ phase: 'over', stdout: [{ kind: 'out', text: 'partial' }] })}
        onJump={() => {}}
      />,
    );
    expect(screen.getByTestId('problem')).toHaveTextContent('connection to the server was lost');
    expect(screen.getByTestId('stdout')).toHaveTextContent('partial');
  });

  it('keeps the typed lines in the final output of an interactive run', () => {
    const transcript = [
      { kind: 'out' as const, text: '? ' },
      { kind: 'in' as const, text: '3\n' },
      { kind: 'out' as const, text: '9\n' },
    ];
    render(
      <OutputPanel
        busy={null}
        view={{ result: result({ stdout: '? 9\n' }), source: 'run', savedId: null, origin: null, transcript }}
        problem={null}
        onJump={() => {}}
      />,
    );
    expect(screen.getByTestId('stdout').querySelector('[data-kind="stdin"]')).toHaveTextContent('3');
  });

  it('opens on the results of a successful run that displayed some', () => {
    render(
      <OutputPanel
        busy={null}
        view={{ result: result({ results: [TABLE] }), source: 'run', savedId: null, origin: null }}
        problem={null}
        onJump={() => {}}
      />,
    );
    expect(screen.getByRole('tab', { name: 'Results (1)' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tabpanel')).toContainElement(screen.getByTestId('result-html'));
    expect(screen.queryByTestId('stdout')).toBeNull();
  });

  it('opens on the output when the run failed, results one click (or arrow key) away', async () => {
    const failed = result({ status: 'runtime_error', error: { type: 'ValueError', message: 'bad', line: 2 }, results: [TABLE] });
    render(
      <OutputPanel busy={null} view={{ result: failed, source: 'run', savedId: null, origin: null }} problem={null} onJump={() => {}} />,
    );
    expect(screen.getByRole('tab', { name: 'Output' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByTestId('stdout')).toBeInTheDocument();
    screen.getByRole('tab', { name: 'Output' }).focus();
    await userEvent.keyboard('{ArrowRight}');
    expect(screen.getByRole('tab', { name: 'Results (1)' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tab', { name: 'Results (1)' })).toHaveFocus();
    expect(screen.getByTestId('result-html')).toBeInTheDocument();
    await userEvent.click(screen.getByRole('tab', { name: 'Output' }));
    expect(screen.getByTestId('stdout')).toBeInTheDocument();
  });

  it('goes back to the default tab when the next result arrives', async () => {
    const first = result({ results: [TABLE] });
    const { rerender } = render(
      <OutputPanel busy={null} view={{ result: first, source: 'run', savedId: null, origin: null }} problem={null} onJump={() => {}} />,
    );
    await userEvent.click(screen.getByRole('tab', { name: 'Output' }));
    const second = result({ results: [TABLE, TABLE] });
    rerender(
      <OutputPanel busy={null} view={{ result: second, source: 'run', savedId: null, origin: null }} problem={null} onJump={() => {}} />,
    );
    expect(screen.getByRole('tab', { name: 'Results (2)' })).toHaveAttribute('aria-selected', 'true');
  });

  it('shows no tabs when there are no results', () => {
    render(
      <OutputPanel busy={null} view={{ result: result(), source: 'run', savedId: null, origin: null }} problem={null} onJump={() => {}} />,
    );
    expect(screen.queryByRole('tablist')).toBeNull();
  });
});
