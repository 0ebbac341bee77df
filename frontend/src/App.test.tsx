import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { forwardRef, useImperativeHandle, useRef } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { App } from './App';
import { ApiError } from './api/errors';
import type { CodeEditorHandle, CodeEditorProps } from './features/editor/CodeEditor';
import { startLiveRun } from './api/stream';
import { fakeSockets } from './test/fakeSocket';
import { accountsRuntime, fakeAccountApi, fakeApi, result, sharedRun, submission, submissionSummary, user } from './test/fixtures';

// Monaco needs a real browser (the e2e tests cover it); here a textarea stands in, exposing
// what App passes to the editor.
vi.mock('./features/editor/CodeEditor', () => ({
  default: forwardRef<CodeEditorHandle, CodeEditorProps>(function FakeEditor(props, ref) {
    const area = useRef<HTMLTextAreaElement>(null);
    useImperativeHandle(ref, () => ({ focus: () => area.current?.focus(), revealPosition: () => {} }));
    return (
      <textarea
        ref={area}
        aria-label="Code"
        value={props.value}
        data-error-line={props.errorLine ?? ''}
        data-violations={props.violations.map((v) => `${v.line}:${v.col}`).join(',')}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  }),
}));

function editor(): Promise<HTMLTextAreaElement> {
  return screen.findByRole<HTMLTextAreaElement>('textbox', { name: 'Code' });
}

beforeEach(() => window.history.replaceState(null, '', '/'));
afterEach(() => vi.restoreAllMocks());

describe('App', () => {
  it('starts with the default example and shows the runtime', async () => {
    render(<App api={fakeApi()} />);
    expect((await editor()).value).toContain('import numpy as np');
    expect(await screen.findByText(/Runtime: Python 3\.11\.7, numpy 2\.4\.6/)).toBeInTheDocument();
  });

  it('runs the code and stdin with the Run button and shows the output', async () => {
    const execute = vi.fn().mockResolvedValue(result({ stdout: '42\n' }));
    render(<App api={fakeApi({ execute })} />);
    fireEvent.change(await editor(), { target: { value: 'print(input())' } });
    await userEvent.type(screen.getByLabelText('Standard input'), '42');
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(execute).toHaveBeenCalledWith({ code: 'print(input())', stdin: '42', wait: false }, expect.any(AbortSignal));
    expect(await screen.findByTestId('stdout')).toHaveTextContent('42');
  });

  it('runs with Ctrl+Enter from outside the editor', async () => {
    const execute = vi.fn().mockResolvedValue(result());
    render(<App api={fakeApi({ execute })} />);
    await editor();
    screen.getByLabelText('Standard input').focus();
    await userEvent.keyboard('{Control>}{Enter}{/Control}');
    expect(execute).toHaveBeenCalledTimes(1);
  });

  it('passes the exception line and policy violations to the editor', async () => {
    const execute = vi
      .fn()
      .mockResolvedValueOnce(result({ status: 'runtime_error', error: { type: 'ValueError', message: 'bad', line: 4 } }))
      .mockRejectedValueOnce(
        new ApiError({
          kind: 'policy',
          detail: 'x',
          violations: [{ line: 1, col: 8, end_line: 1, end_col: 10, rule: 'import-not-allowed', message: 'no os' }],
        }),
      );
    render(<App api={fakeApi({ execute })} />);
    const code = await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(code.dataset.errorLine).toBe('4'));
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    await waitFor(() => expect(code.dataset.violations).toBe('1:8'));
    expect(code.dataset.errorLine).toBe('');
    expect(screen.getByTestId('violations')).toHaveTextContent('no os');
  });

  it('shows the rate-limit wait as a sentence', async () => {
    const execute = vi.fn().mockRejectedValue(new ApiError({ kind: 'rate-limited', detail: 'x', retryAfterS: 30, limit: null }));
    render(<App api={fakeApi({ execute })} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByTestId('problem')).toHaveTextContent('You can run again in 30 seconds.');
  });

  it('shares the failing run in view without running it again, moves to the permalink and offers to copy it', async () => {
    const failed = result({
      status: 'runtime_error',
      stdout: 'before\n',
      error: { type: 'ZeroDivisionError', message: 'division by zero', line: 2 },
      receipt: 'r1',
    });
    const execute = vi.fn().mockResolvedValue(failed);
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'xyz' }));
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<App api={fakeApi({ execute, share })} />);
    fireEvent.change(await editor(), { target: { value: 'print("before")\n1/0' } });
    await userEvent.type(screen.getByLabelText('Standard input'), 'in');
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByTestId('status-badge')).toHaveTextContent('Error');
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/xyz'));
    expect(execute).toHaveBeenCalledTimes(1);
    expect(share).toHaveBeenCalledTimes(1);
    expect(share).toHaveBeenCalledWith(
      { code: 'print("before")\n1/0', stdin: 'in', result: failed, receipt: 'r1', visibility: 'unlisted' },
      expect.any(AbortSignal),
    );
    expect(screen.getByLabelText('Permalink')).toHaveValue(`${window.location.origin}/s/xyz`);
    expect(screen.getByTestId('run-status')).toHaveTextContent('The program stopped with an error. Shared: the permalink above');
    expect(screen.getByTestId('stdout')).toHaveTextContent('before');
    await userEvent.click(screen.getByRole('button', { name: 'Copy link' }));
    expect(writeText).toHaveBeenCalledWith(`${window.location.origin}/s/xyz`);
    expect(await screen.findByText('Copied!')).toBeInTheDocument();

    // Shared already: Share (here Ctrl+S) shows the same permalink, with no request.
    screen.getByLabelText('Standard input').focus();
    await userEvent.keyboard('{Control>}s{/Control}');
    expect(share).toHaveBeenCalledTimes(1);
    expect(execute).toHaveBeenCalledTimes(1);
    expect(window.location.pathname).toBe('/s/xyz');
  });

  it('runs the code first when no run of it is in view, then shares whatever the result', async () => {
    const timedOut = result({ status: 'timeout', stdout: '', receipt: 'r2' });
    const execute = vi.fn().mockResolvedValue(timedOut);
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'slow' }));
    render(<App api={fakeApi({ execute, share })} />);
    fireEvent.change(await editor(), { target: { value: 'while True: pass' } });
    screen.getByLabelText('Standard input').focus();
    await userEvent.keyboard('{Control>}s{/Control}');
    await waitFor(() => expect(window.location.pathname).toBe('/s/slow'));
    expect(execute).toHaveBeenCalledWith({ code: 'while True: pass', stdin: '', wait: false }, expect.any(AbortSignal));
    expect(share).toHaveBeenCalledWith(
      { code: 'while True: pass', stdin: '', result: timedOut, receipt: 'r2', visibility: 'unlisted' },
      expect.any(AbortSignal),
    );
    expect(screen.getByTestId('status-badge')).toHaveTextContent('Timed out');
  });

  it('runs again when the code changed since the run in view', async () => {
    const execute = vi
      .fn()
      .mockResolvedValueOnce(result({ receipt: 'old' }))
      .mockResolvedValueOnce(result({ stdout: 'new\n', receipt: 'new' }));
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'n' }));
    render(<App api={fakeApi({ execute, share })} />);
    const code = await editor();
    fireEvent.change(code, { target: { value: 'print("old")' } });
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    await screen.findByTestId('status-badge');
    fireEvent.change(code, { target: { value: 'print("new")' } });
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/n'));
    expect(execute).toHaveBeenCalledTimes(2);
    expect(share).toHaveBeenCalledWith(expect.objectContaining({ code: 'print("new")', receipt: 'new' }), expect.any(AbortSignal));
  });

  it('keeps the run in view when the server refuses its receipt, and runs anew on the next Share', async () => {
    const execute = vi
      .fn()
      .mockResolvedValueOnce(result({ stdout: 'first\n', receipt: 'stale' }))
      .mockResolvedValueOnce(result({ receipt: 'fresh' }));
    const detail = 'The run is older than 24 hours and can no longer be saved; run it again.';
    const share = vi
      .fn()
      .mockRejectedValueOnce(new ApiError({ kind: 'invalid', detail, errors: [{ field: 'body.receipt', message: detail }] }))
      .mockResolvedValueOnce(sharedRun({ id: 'ok' }));
    render(<App api={fakeApi({ execute, share })} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    await screen.findByTestId('status-badge');
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    expect(await screen.findByTestId('problem')).toHaveTextContent('The server could not verify this run, so it was not shared');
    expect(screen.getByTestId('problem')).not.toHaveTextContent('body.receipt');
    expect(screen.getByTestId('stdout')).toHaveTextContent('first');
    expect(window.location.pathname).toBe('/');
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/ok'));
    expect(execute).toHaveBeenCalledTimes(2);
    expect(share).toHaveBeenLastCalledWith(expect.objectContaining({ receipt: 'fresh' }), expect.any(AbortSignal));
  });

  it.each([
    [
      'the rate limit',
      { kind: 'rate-limited', detail: 'x', retryAfterS: 30, limit: '10 runs a minute' },
      'a share counts as one. The run was not shared. You can share it in 30 seconds.',
    ],
    [
      'the size limit',
      { kind: 'too-large', detail: 'x' },
      'This run is too large to share: its output is more than the server keeps. Make the program print less',
    ],
    [
      'an unavailable database',
      { kind: 'unavailable', detail: 'The database is unavailable.', retryAfterS: 5 },
      'cannot save the run right now (The database is unavailable); it was not shared. Try again in 5 seconds.',
    ],
  ] as const)('says so plainly when %s refuses the share, and keeps the output', async (_what, problem, sentence) => {
    const execute = vi.fn().mockResolvedValue(result({ stdout: 'kept\n', receipt: 'r' }));
    const share = vi.fn().mockRejectedValue(new ApiError(problem));
    render(<App api={fakeApi({ execute, share })} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    await screen.findByTestId('status-badge');
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    expect(await screen.findByTestId('problem')).toHaveTextContent(sentence);
    expect(screen.getByTestId('stdout')).toHaveTextContent('kept');
    expect(screen.getByTestId('status-badge')).toHaveTextContent('Success');
    expect(screen.getByRole('button', { name: 'Share' })).toBeEnabled();
    expect(window.location.pathname).toBe('/');
  });

  it('opens a permalink without overwriting the saved draft, until the first edit', async () => {
    localStorage.setItem('execbox:code', JSON.stringify('my draft'));
    window.history.replaceState(null, '', '/s/abc123');
    const load = vi.fn().mockResolvedValue(submission({ code: 'print("saved")\n', stdout: 'saved\n' }));
    render(<App api={fakeApi({ submission: load })} />);
    const code = await editor();
    await waitFor(() => expect(code.value).toBe('print("saved")\n'));
    expect(load).toHaveBeenCalledWith('abc123', expect.any(AbortSignal));
    expect(await screen.findByTestId('stdout')).toHaveTextContent('saved');
    expect(screen.getByText(/Saved run from/)).toBeInTheDocument();
    await act(() => new Promise((r) => setTimeout(r, 400)));
    expect(localStorage.getItem('execbox:code')).toBe(JSON.stringify('my draft'));

    fireEvent.change(code, { target: { value: 'print("edited")' } });
    expect(window.location.pathname).toBe('/');
    await waitFor(() => expect(localStorage.getItem('execbox:code')).toBe(JSON.stringify('print("edited")')));
  });

  it('loads an example from the menu', async () => {
    render(<App api={fakeApi()} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Examples' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'Reading standard input' }));
    expect((await editor()).value).toContain('statistics.median');
    expect(screen.getByLabelText('Standard input')).toHaveValue('4\n3.5\n1\n9\n2.25\n');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(await editor()).toHaveFocus();
  });

  it('keeps the draft one click away after an example replaced it, without saving the example over it', async () => {
    localStorage.setItem('execbox:code', JSON.stringify('print("mine")\n'));
    localStorage.setItem('execbox:stdin', JSON.stringify('my input'));
    render(<App api={fakeApi()} />);
    const code = await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Examples' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'Reading standard input' }));
    expect(screen.getByTestId('draft-restore')).toHaveTextContent('Loaded the example Reading standard input.');
    // Another example over it: going back still goes to the person's draft, not to the first example.
    await userEvent.click(screen.getByRole('button', { name: 'Examples' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'A runtime error' }));
    expect(code.value).toContain('def average');
    expect(screen.getByLabelText('Standard input')).toHaveValue('');
    // A reload now would find the draft, not the example.
    await act(() => new Promise((r) => setTimeout(r, 400)));
    expect(localStorage.getItem('execbox:code')).toBe(JSON.stringify('print("mine")\n'));

    await userEvent.click(screen.getByRole('button', { name: /Back to your draft/ }));
    expect(code.value).toBe('print("mine")\n');
    expect(screen.getByLabelText('Standard input')).toHaveValue('my input');
    expect(screen.queryByRole('button', { name: /Back to your draft/ })).not.toBeInTheDocument();
    expect(code).toHaveFocus();
  });

  it('makes an edited example the draft: the offer goes and the example is saved', async () => {
    localStorage.setItem('execbox:code', JSON.stringify('print("mine")\n'));
    render(<App api={fakeApi()} />);
    const code = await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Examples' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'A runtime error' }));
    expect(screen.getByRole('button', { name: /Back to your draft/ })).toBeInTheDocument();
    fireEvent.change(code, { target: { value: `${code.value}# mine now\n` } });
    expect(screen.queryByRole('button', { name: /Back to your draft/ })).not.toBeInTheDocument();
    await waitFor(() => expect(localStorage.getItem('execbox:code')).toContain('# mine now'));
  });

  it('keeps the example when asked, and offers nothing when the example is already what the editor holds', async () => {
    const example = 'def average(values):\n    return sum(values) / len(values)\n\nprint(average([1, 2, 3]))\nprint(average([]))\n';
    localStorage.setItem('execbox:code', JSON.stringify(example));
    render(<App api={fakeApi()} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Examples' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'A runtime error' }));
    expect(screen.getByTestId('draft-restore')).toBeEmptyDOMElement();

    await userEvent.click(screen.getByRole('button', { name: 'Examples' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'matplotlib: a plot' }));
    await userEvent.click(screen.getByRole('button', { name: 'Keep the example' }));
    expect(screen.getByTestId('draft-restore')).toBeEmptyDOMElement();
    await waitFor(() => expect(localStorage.getItem('execbox:code')).toContain('matplotlib'));
  });

  it('switches and remembers the theme', async () => {
    render(<App api={fakeApi()} />);
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Theme' }), 'dark');
    expect(document.documentElement).toHaveClass('dark');
    expect(localStorage.getItem('execbox:theme')).toBe('"dark"');
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Theme' }), 'light');
    expect(document.documentElement).not.toHaveClass('dark');
  });
});

describe('App permalinks', () => {
  it('keeps the draft when a permalink does not exist', async () => {
    localStorage.setItem('execbox:code', JSON.stringify('my draft'));
    window.history.replaceState(null, '', '/s/missing');
    const load = vi.fn().mockRejectedValue(new ApiError({ kind: 'not-found', detail: 'No such submission.' }));
    render(<App api={fakeApi({ submission: load })} />);
    expect(await screen.findByTestId('problem')).toHaveTextContent('This saved snippet does not exist');
    await waitFor(async () => expect((await editor()).value).toBe('my draft'));
    await act(() => new Promise((r) => setTimeout(r, 400)));
    expect(localStorage.getItem('execbox:code')).toBe(JSON.stringify('my draft'));
  });

  it('follows back and forward between the draft and a saved snippet', async () => {
    const execute = vi.fn().mockResolvedValue(result({ receipt: 'r' }));
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'xyz' }));
    const load = vi.fn().mockResolvedValue(submission({ id: 'xyz', code: 'print("saved")\n' }));
    render(<App api={fakeApi({ execute, share, submission: load })} />);
    const code = await editor();
    fireEvent.change(code, { target: { value: 'print("saved")\n' } });
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/xyz'));
    fireEvent.change(code, { target: { value: 'print("draft")\n' } });
    expect(window.location.pathname).toBe('/');
    act(() => {
      window.history.pushState(null, '', '/s/xyz');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    await waitFor(() => expect(code.value).toBe('print("saved")\n'));
    act(() => {
      window.history.pushState(null, '', '/');
      window.dispatchEvent(new PopStateEvent('popstate'));
    });
    await waitFor(() => expect(code.value).toBe('print("draft")\n'));
  });
});

describe('App live runs', () => {
  function liveApp() {
    const sockets = fakeSockets();
    const api = fakeApi({
      live: (body, callbacks) => startLiveRun(body, callbacks, { url: 'ws://test/api/v1/code/stream', socket: sockets.factory }),
    });
    render(<App api={api} />);
    return sockets;
  }

  async function startRun(sockets: ReturnType<typeof fakeSockets>) {
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
    });
    return socket;
  }

  it('turns Run into Stop while the run is live; Stop ends it with its own badge', async () => {
    const sockets = liveApp();
    fireEvent.change(await editor(), { target: { value: 'while True: pass' } });
    const socket = await startRun(sockets);
    expect(socket.sent[0]).toMatchObject({ type: 'run', code: 'while True: pass' });
    expect(screen.queryByRole('button', { name: 'Run' })).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(socket.sent.at(-1)).toEqual({ type: 'stop' });
    act(() => socket.receive({ type: 'result', ...result({ status: 'stopped', stdout: '' }) }));
    expect(await screen.findByTestId('status-badge')).toHaveTextContent('Stopped');
    expect(screen.getByRole('status')).toHaveTextContent('You stopped the program.');
    expect(screen.getByRole('button', { name: 'Run' })).toBeInTheDocument();
  });

  it('keeps the last output under the banner when the rate limit refuses the next run, and names the limit', async () => {
    const sockets = liveApp();
    await editor();
    const first = await startRun(sockets);
    act(() => first.receive({ type: 'result', ...result({ stdout: 'ok\n', stderr: 'a warning\n' }) }));
    expect(await screen.findByTestId('status-badge')).toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    const refused = sockets.last();
    act(() => {
      refused.open();
      const detail = 'Too many runs from your address (limit: 10/minute). Try again in 42 s.';
      refused.receive({ type: 'error', status: 429, detail, retry_after_s: 42 });
      refused.serverClose(4429);
    });
    expect(await screen.findByTestId('problem')).toHaveTextContent(
      'Too many runs in a short time (limit: 10 runs a minute). You can run again in 42 seconds.',
    );
    expect(screen.getByTestId('stdout')).toHaveTextContent('ok');
    expect(screen.getByTestId('stderr')).toHaveTextContent('a warning');
    expect(screen.getByTestId('status-badge')).toHaveTextContent('Success');
    expect(screen.getByTestId('previous-output')).toHaveTextContent('Output of the previous run');
  });

  it('says where a run waits for its turn, and Stop takes it out of the line', async () => {
    const sockets = liveApp();
    fireEvent.change(await editor(), { target: { value: 'print("b")' } });
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    const socket = sockets.last();
    act(() => socket.open());
    expect(socket.sent).toEqual([{ type: 'run', code: 'print("b")', stdin: '', wait: true }]);
    act(() => socket.receive({ type: 'queued', position: 1, reason: 'server_full' }));
    expect(screen.getByTestId('queued')).toHaveTextContent('Waiting for a free sandbox (1 ahead)');
    expect(screen.getByRole('status')).toHaveTextContent(/^Waiting for a free sandbox \(1 ahead\): /);
    act(() => socket.receive({ type: 'queued', position: 0, reason: 'server_full' }));
    expect(screen.getByTestId('queued')).toHaveTextContent('Waiting for a free sandbox (next in line)');
    expect(screen.queryByTestId('live-stdin')).toBeNull();
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));
    expect(socket.sent.at(-1)).toEqual({ type: 'stop' });
    expect(socket.closedByClient).toBe(1000);
    await waitFor(() => expect(screen.getByRole('status')).toHaveTextContent('Stopped before the program started.'));
    expect(screen.queryByTestId('queued')).toBeNull();
    expect(screen.getByRole('button', { name: 'Run' })).toBeInTheDocument();
  });

  it('stops with Escape', async () => {
    const sockets = liveApp();
    await editor();
    const socket = await startRun(sockets);
    await userEvent.keyboard('{Escape}');
    expect(socket.sent.at(-1)).toEqual({ type: 'stop' });
  });

  it('gives the stdin box’s text as the whole input, with no line input', async () => {
    const sockets = liveApp();
    fireEvent.change(await editor(), { target: { value: 'print(input())' } });
    await userEvent.type(screen.getByLabelText('Standard input'), 'given');
    const socket = await startRun(sockets);
    expect(socket.sent).toEqual([{ type: 'run', code: 'print(input())', stdin: 'given', wait: true }, { type: 'close_stdin' }]);
    expect(screen.getByLabelText('Standard input')).toHaveAttribute('readonly');
    expect(screen.getByTestId('stdin-given-note')).toHaveTextContent('then end of input');
    expect(screen.queryByTestId('live-stdin')).toBeNull();
  });

  it('sends typed lines to the running program and echoes them; Ctrl+D closes the input', async () => {
    const sockets = liveApp();
    const code = await editor();
    fireEvent.change(code, { target: { value: 'print(input())' } });
    expect(screen.queryByTestId('live-stdin')).toBeNull();
    const socket = await startRun(sockets);
    expect(socket.sent).toEqual([{ type: 'run', code: 'print(input())', stdin: '', wait: true }]);
    expect(screen.getByLabelText('Standard input')).toHaveAttribute('readonly');
    const field = await screen.findByTestId('live-stdin');
    await userEvent.type(field, 'Ada{Enter}');
    expect(socket.sent.at(-1)).toEqual({ type: 'stdin', data: 'Ada\n' });
    expect(field).toHaveValue('');
    expect(screen.getByTestId('stdout').querySelector('[data-kind="stdin"]')).toHaveTextContent('Ada');
    await userEvent.keyboard('{Control>}d{/Control}');
    expect(socket.sent.at(-1)).toEqual({ type: 'close_stdin' });
    expect(screen.queryByTestId('live-stdin')).toBeNull();
    expect(screen.getByTestId('live-stdin-closed')).toBeInTheDocument();
    act(() => socket.receive({ type: 'result', ...result({ stdout: 'Ada\n' }) }));
    await waitFor(() => expect(screen.queryByTestId('live-stdin-closed')).toBeNull());
    expect(screen.getByLabelText('Standard input')).not.toHaveAttribute('readonly');
  });

  it('shares a live run with the lines typed into it as its input, and disables Share while it runs', async () => {
    const sockets = fakeSockets();
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'typed' }));
    const api = fakeApi({
      share,
      live: (body, callbacks) => startLiveRun(body, callbacks, { url: 'ws://test/api/v1/code/stream', socket: sockets.factory }),
    });
    render(<App api={api} />);
    fireEvent.change(await editor(), { target: { value: 'a = input()\nb = input()\nprint(int(a) / int(b))' } });
    const socket = await startRun(sockets);
    expect(screen.getByRole('button', { name: 'Share' })).toBeDisabled();
    const field = await screen.findByTestId('live-stdin');
    await userEvent.type(field, '1{Enter}');
    await userEvent.type(field, '0{Enter}');
    const failed = result({
      status: 'runtime_error',
      stdout: '',
      error: { type: 'ZeroDivisionError', message: 'division by zero', line: 3 },
      receipt: 'live',
    });
    act(() => socket.receive({ type: 'result', ...failed }));
    await userEvent.click(await screen.findByRole('button', { name: 'Share' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/typed'));
    expect(share).toHaveBeenCalledWith(
      {
        code: 'a = input()\nb = input()\nprint(int(a) / int(b))',
        stdin: '1\n0\n',
        result: failed,
        receipt: 'live',
        visibility: 'unlisted',
      },
      expect.any(AbortSignal),
    );
    expect(sockets.sockets).toHaveLength(1);
    // The stdin box is left as it was (empty): the permalink has the typed lines.
    expect(screen.getByLabelText('Standard input')).toHaveValue('');
  });

  it('runs live when Share finds no run, says so, and shares a run stopped on the way', async () => {
    const sockets = fakeSockets();
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'stopped' }));
    const api = fakeApi({
      share,
      live: (body, callbacks) => startLiveRun(body, callbacks, { url: 'ws://test/api/v1/code/stream', socket: sockets.factory }),
    });
    render(<App api={api} />);
    fireEvent.change(await editor(), { target: { value: 'while True: pass' } });
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
    });
    expect(screen.getByRole('button', { name: 'Sharing…' })).toBeDisabled();
    expect(screen.getByTestId('run-status')).toHaveTextContent('Running, then sharing…');
    await userEvent.click(screen.getByRole('button', { name: 'Stop' }));
    const stopped = result({ status: 'stopped', stdout: '', receipt: 's' });
    act(() => socket.receive({ type: 'result', ...stopped }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/stopped'));
    expect(share).toHaveBeenCalledWith(expect.objectContaining({ result: stopped, stdin: '' }), expect.any(AbortSignal));
    expect(screen.getByTestId('run-status')).toHaveTextContent('You stopped the program. Shared');
    expect(screen.getByRole('button', { name: 'Share' })).toBeEnabled();
  });

  it('shows the line input under the output, focused when the program waits, and says the run waits', async () => {
    const sockets = liveApp();
    const code = await editor();
    fireEvent.change(code, { target: { value: 'name = input("name? ")\nprint(name)' } });
    const socket = await startRun(sockets);
    const field = await screen.findByTestId('live-stdin');
    expect(screen.getByRole('region', { name: 'Output' })).toContainElement(field);
    expect(screen.getByTestId('stdin-typed-note')).toHaveTextContent('type the program’s input in the field under its output');
    expect(screen.getByTestId('elapsed')).toBeInTheDocument();
    expect(field).not.toHaveFocus();
    act(() => {
      socket.receive({ type: 'output', stream: 'stdout', data: 'name? ' });
      socket.receive({ type: 'waiting_for_input', waiting: true });
    });
    expect(field).toHaveFocus();
    expect(screen.getByTestId('stdout')).toHaveTextContent('name?');
    expect(screen.getByTestId('run-status')).toHaveTextContent('Waiting for input');
    await userEvent.type(field, 'Ada{Enter}');
    expect(socket.sent.at(-1)).toEqual({ type: 'stdin', data: 'Ada\n' });
    act(() => socket.receive({ type: 'waiting_for_input', waiting: false }));
    expect(screen.queryByTestId('waiting-for-input')).toBeNull();
    act(() => socket.receive({ type: 'result', ...result({ stdout: 'name? Ada\n' }) }));
    await waitFor(() => expect(screen.queryByTestId('live-stdin')).toBeNull());
    expect(screen.queryByTestId('stdin-typed-note')).toBeNull();
    expect(screen.queryByTestId('elapsed')).toBeNull();
    expect(screen.getByTestId('metrics')).toHaveTextContent('Wall120 ms');
  });

  it('gives the focus back to the editor when the line input goes away under it', async () => {
    const sockets = liveApp();
    const code = await editor();
    const socket = await startRun(sockets);
    await userEvent.click(await screen.findByTestId('live-stdin'));
    act(() => socket.receive({ type: 'result', ...result() }));
    await waitFor(() => expect(code).toHaveFocus());
  });

  it('has a Close input button', async () => {
    const sockets = liveApp();
    await editor();
    const socket = await startRun(sockets);
    await userEvent.click(await screen.findByRole('button', { name: 'Close input' }));
    expect(socket.sent.at(-1)).toEqual({ type: 'close_stdin' });
  });

  it('shows a policy refusal from the stream as editor markers', async () => {
    const sockets = liveApp();
    const code = await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({
        type: 'error',
        status: 422,
        detail: 'x',
        violations: [{ line: 1, col: 8, end_line: 1, end_col: 10, rule: 'import-not-allowed', message: 'no os' }],
      });
    });
    await waitFor(() => expect(code.dataset.violations).toBe('1:8'));
  });

  it('shows the results of a saved run opened by its permalink', async () => {
    window.history.replaceState(null, '', '/s/abc123');
    const load = vi.fn().mockResolvedValue(submission({ results: [{ mime: 'text/plain', data: '42' }] }));
    render(<App api={fakeApi({ submission: load })} />);
    expect(await screen.findByRole('tab', { name: 'Results (1)' })).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByTestId('result-text')).toHaveTextContent('42');
  });
});

describe('App with accounts', () => {
  it('shows no account control, and no choice of visibility, where the server has no accounts', async () => {
    render(<App api={fakeApi()} />);
    await screen.findByText(/Runtime: Python/);
    expect(screen.queryByRole('button', { name: 'Sign in' })).not.toBeInTheDocument();
    expect(screen.queryByLabelText('Share as')).not.toBeInTheDocument();
  });

  it('offers Sign in where it has; signed in, Share saves privately when asked to', async () => {
    const execute = vi.fn().mockResolvedValue(result({ receipt: 'r' }));
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'mine' }));
    const account = fakeAccountApi({ signedIn: () => true, me: () => Promise.resolve(user()) });
    render(<App api={fakeApi({ execute, share, account, runtime: () => Promise.resolve(accountsRuntime) })} />);
    await userEvent.selectOptions(await screen.findByLabelText('Share as'), 'Private (only me)');
    expect(screen.getByRole('button', { name: 'Account: ada@example.org' })).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/mine'));
    expect(share).toHaveBeenCalledWith(expect.objectContaining({ visibility: 'private' }), expect.any(AbortSignal));
  });

  it('opens a submission from My submissions as its permalink does', async () => {
    const mySubmissions = vi.fn().mockResolvedValue({ items: [submissionSummary({ id: 'abc123' })], next_cursor: null });
    const load = vi.fn().mockResolvedValue(submission({ id: 'abc123', code: 'print("saved")\n' }));
    const account = fakeAccountApi({ signedIn: () => true, me: () => Promise.resolve(user()), mySubmissions });
    render(<App api={fakeApi({ submission: load, account, runtime: () => Promise.resolve(accountsRuntime) })} />);
    await userEvent.click(await screen.findByRole('button', { name: 'Account: ada@example.org' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'My submissions' }));
    await userEvent.click(await screen.findByRole('button', { name: /^Open/ }));
    expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    await waitFor(() => expect(window.location.pathname).toBe('/s/abc123'));
    expect(load).toHaveBeenCalledWith('abc123', expect.any(AbortSignal));
    await waitFor(async () => expect((await editor()).value).toBe('print("saved")\n'));
  });

  it('goes back to the editor’s address when the submission open in it is deleted, its code kept as the draft', async () => {
    const mySubmissions = vi.fn().mockResolvedValue({ items: [submissionSummary({ id: 'abc123' })], next_cursor: null });
    const deleteSubmission = vi.fn().mockResolvedValue(undefined);
    const load = vi.fn().mockResolvedValue(submission({ id: 'abc123', code: 'print("saved")\n', stdin: 'in' }));
    const execute = vi.fn().mockResolvedValue(result({ receipt: 'r' }));
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'again' }));
    const account = fakeAccountApi({ signedIn: () => true, me: () => Promise.resolve(user()), mySubmissions, deleteSubmission });
    window.history.replaceState(null, '', '/s/abc123');
    render(<App api={fakeApi({ submission: load, execute, share, account, runtime: () => Promise.resolve(accountsRuntime) })} />);
    await screen.findByLabelText('Permalink');
    const entries = window.history.length;

    await userEvent.click(screen.getByRole('button', { name: 'Account: ada@example.org' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'My submissions' }));
    await userEvent.click(await screen.findByRole('button', { name: /^Delete/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByTestId('submissions-empty')).toBeInTheDocument();
    expect(deleteSubmission).toHaveBeenCalledWith('abc123');
    // The permalink, a 404 now, is replaced: a reload (or Back) does not land on it.
    expect(window.location.pathname).toBe('/');
    expect(window.history.length).toBe(entries);
    expect(screen.queryByLabelText('Permalink')).not.toBeInTheDocument();
    expect((await editor()).value).toBe('print("saved")\n');
    await waitFor(() => expect(localStorage.getItem('execbox:code')).toBe(JSON.stringify('print("saved")\n')));
    expect(localStorage.getItem('execbox:stdin')).toBe(JSON.stringify('in'));

    // Share saves it anew rather than show the deleted permalink.
    await userEvent.keyboard('{Escape}');
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/again'));
    expect(execute).toHaveBeenCalledTimes(1);
    expect(share).toHaveBeenCalledTimes(1);
  });

  it('leaves the page where it is when another submission is deleted', async () => {
    const mySubmissions = vi.fn().mockResolvedValue({
      items: [submissionSummary({ id: 'abc123' }), submissionSummary({ id: 'other', code_preview: 'print("other")' })],
      next_cursor: null,
    });
    const deleteSubmission = vi.fn().mockResolvedValue(undefined);
    const load = vi.fn().mockResolvedValue(submission({ id: 'abc123' }));
    const account = fakeAccountApi({ signedIn: () => true, me: () => Promise.resolve(user()), mySubmissions, deleteSubmission });
    window.history.replaceState(null, '', '/s/abc123');
    render(<App api={fakeApi({ submission: load, account, runtime: () => Promise.resolve(accountsRuntime) })} />);
    await screen.findByLabelText('Permalink');
    await userEvent.click(screen.getByRole('button', { name: 'Account: ada@example.org' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'My submissions' }));
    await userEvent.click(await screen.findByRole('button', { name: 'Delete print("other")' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    await waitFor(() => expect(screen.getAllByTestId('submission')).toHaveLength(1));
    expect(window.location.pathname).toBe('/s/abc123');
    expect(screen.getByLabelText('Permalink')).toBeInTheDocument();
  });

  it('remembers the visibility chosen for Share across reloads, private only while signed in', async () => {
    const signedIn = { signedIn: () => true, me: () => Promise.resolve(user()) };
    const runtime = () => Promise.resolve(accountsRuntime);
    const first = render(<App api={fakeApi({ account: fakeAccountApi(signedIn), runtime })} />);
    await userEvent.selectOptions(await screen.findByLabelText('Share as'), 'Private (only me)');
    first.unmount();

    // Reloaded, signed in: the choice is back.
    const second = render(<App api={fakeApi({ account: fakeAccountApi(signedIn), runtime })} />);
    expect(await screen.findByLabelText('Share as')).toHaveValue('private');
    second.unmount();

    // Signed out: no choice, and Share saves unlisted.
    const execute = vi.fn().mockResolvedValue(result({ receipt: 'r' }));
    const share = vi.fn().mockResolvedValue(sharedRun({ id: 'anon' }));
    render(<App api={fakeApi({ execute, share, runtime })} />);
    expect(await screen.findByRole('button', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.queryByLabelText('Share as')).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Share' }));
    await waitFor(() => expect(share).toHaveBeenCalledWith(expect.objectContaining({ visibility: 'unlisted' }), expect.any(AbortSignal)));
  });
});

describe('App keyboard and touch', () => {
  afterEach(() => Reflect.deleteProperty(window, 'matchMedia'));

  /** A touch screen (or not), as the media query `(hover: none) and (pointer: coarse)` says. */
  function pointer(touch: boolean) {
    Object.defineProperty(window, 'matchMedia', {
      value: (query: string) => ({
        matches: touch && query === '(hover: none) and (pointer: coarse)',
        media: query,
        addEventListener: () => {},
        removeEventListener: () => {},
      }),
      configurable: true,
    });
  }

  it('puts the editor first in the Tab order, after the skip link, which goes to the input', async () => {
    render(<App api={fakeApi()} />);
    const code = await editor();
    await userEvent.tab();
    const skip = screen.getByRole('link', { name: 'Skip the editor' });
    expect(skip).toHaveFocus();
    await userEvent.tab();
    expect(code).toHaveFocus();
    await userEvent.tab();
    expect(screen.getByLabelText('Standard input')).toHaveFocus();
    await userEvent.tab();
    expect(screen.getByRole('button', { name: 'Run' })).toHaveFocus();

    await userEvent.click(skip);
    expect(screen.getByLabelText('Standard input')).toHaveFocus();
    expect(window.location.hash).toBe('');
  });

  it('shows the keyboard shortcuts with a mouse or a touchpad', async () => {
    pointer(false);
    render(<App api={fakeApi()} />);
    await editor();
    expect(screen.getByTestId('key-hints')).toHaveTextContent(
      'Ctrl+Enter runs · Esc stops · Ctrl+S shares · Ctrl+M lets Tab leave the editor',
    );
    expect(screen.getByTestId('run-key')).toBeInTheDocument();
    expect(screen.getByTestId('run-status')).toHaveTextContent('Press Run or Ctrl+Enter to run the code.');
  });

  it('names no keys on a touch screen, and leaves the focus off the editor after an example (no on-screen keyboard)', async () => {
    pointer(true);
    render(<App api={fakeApi()} />);
    const code = await editor();
    expect(screen.queryByTestId('key-hints')).not.toBeInTheDocument();
    expect(screen.queryByTestId('run-key')).not.toBeInTheDocument();
    expect(screen.getByTestId('run-status')).toHaveTextContent('Press Run to run the code.');

    await userEvent.click(screen.getByRole('button', { name: 'Examples' }));
    await userEvent.click(screen.getByRole('menuitem', { name: 'A runtime error' }));
    expect(code.value).toContain('def average');
    expect(code).not.toHaveFocus();
    expect(screen.getByRole('button', { name: 'Examples' })).toHaveFocus();
    await userEvent.click(screen.getByRole('button', { name: /Back to your draft/ }));
    expect(code).not.toHaveFocus();
  });
});
