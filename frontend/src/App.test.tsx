import { act, fireEvent, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { forwardRef, useImperativeHandle } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { App } from './App';
import { ApiError } from './api/errors';
import type { CodeEditorHandle, CodeEditorProps } from './features/editor/CodeEditor';
import { fakeApi, result, submission, submitResult } from './test/fixtures';

// Monaco needs a real browser (the e2e tests cover it); here a textarea stands in, exposing
// what App passes to the editor.
vi.mock('./features/editor/CodeEditor', () => ({
  default: forwardRef<CodeEditorHandle, CodeEditorProps>(function FakeEditor(props, ref) {
    useImperativeHandle(ref, () => ({ focus: () => {}, revealPosition: () => {} }));
    return (
      <textarea
        aria-label="Code"
        value={props.value}
        data-error-line={props.errorLine ?? ''}
        data-violations={props.violations.map((v) => `${v.line}:${v.col}`).join(',')}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  }),
}));

async function editor(): Promise<HTMLTextAreaElement> {
  return (await screen.findByRole('textbox', { name: 'Code' })) as HTMLTextAreaElement;
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
    expect(execute).toHaveBeenCalledWith({ code: 'print(input())', stdin: '42' }, expect.any(AbortSignal));
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
    const execute = vi.fn().mockRejectedValue(new ApiError({ kind: 'rate-limited', detail: 'x', retryAfterS: 30 }));
    render(<App api={fakeApi({ execute })} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Run' }));
    expect(await screen.findByTestId('problem')).toHaveTextContent('You can run again in 30 seconds.');
  });

  it('saves, moves to the permalink and offers to copy it', async () => {
    const submit = vi.fn().mockResolvedValue(submitResult({ id: 'xyz' }));
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    render(<App api={fakeApi({ submit })} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(window.location.pathname).toBe('/s/xyz'));
    expect(screen.getByLabelText('Permalink')).toHaveValue(`${window.location.origin}/s/xyz`);
    await userEvent.click(screen.getByRole('button', { name: 'Copy link' }));
    expect(writeText).toHaveBeenCalledWith(`${window.location.origin}/s/xyz`);
    expect(await screen.findByText('Copied!')).toBeInTheDocument();
  });

  it('does not move to a permalink when the run was not saved', async () => {
    const submit = vi.fn().mockResolvedValue(submitResult({ status: 'runtime_error', saved: false, id: null }));
    render(<App api={fakeApi({ submit })} />);
    await editor();
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
    expect(await screen.findByText(/Not saved/)).toBeInTheDocument();
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
    await userEvent.selectOptions(screen.getByRole('combobox', { name: 'Load an example' }), 'stdin');
    expect((await editor()).value).toContain('statistics.median');
    expect(screen.getByLabelText('Standard input')).toHaveValue('4\n3.5\n1\n9\n2.25\n');
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
    const submit = vi.fn().mockResolvedValue(submitResult({ id: 'xyz' }));
    const load = vi.fn().mockResolvedValue(submission({ id: 'xyz', code: 'print("saved")\n' }));
    render(<App api={fakeApi({ submit, submission: load })} />);
    const code = await editor();
    fireEvent.change(code, { target: { value: 'print("saved")\n' } });
    await userEvent.click(screen.getByRole('button', { name: 'Save' }));
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
