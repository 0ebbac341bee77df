import { act, renderHook, waitFor } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';

import type { ApiClient } from '../../api/client';
import { ApiError } from '../../api/errors';
import { startLiveRun } from '../../api/stream';
import type { ShareRequest } from '../../api/types';
import { fakeSockets } from '../../test/fakeSocket';
import { fakeApi, result, sharedRun } from '../../test/fixtures';
import type { Shared } from './useRunner';
import { useRunner } from './useRunner';

/** An ApiClient whose live runs go through fake sockets, and whose HTTP calls are mocks. */
function setUp(overrides: Partial<ApiClient> = {}) {
  const sockets = fakeSockets();
  const api = fakeApi({
    live: (body, callbacks) => startLiveRun(body, callbacks, { url: 'ws://test/api/v1/code/stream', socket: sockets.factory }),
    ...overrides,
  });
  const hook = renderHook(() => useRunner(api));
  return { sockets, hook };
}

/** Lets the output buffer (16 ms) hand its text over. */
const settle = () => act(() => new Promise((r) => setTimeout(r, 30)));

describe('useRunner, live runs', () => {
  it('shows output progressively, in order, then the result', async () => {
    const { sockets, hook } = setUp();
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print(1)', '');
    });
    expect(hook.result.current.busy).toBe('run');
    expect(hook.result.current.live).toMatchObject({ transport: 'stream', phase: 'connecting' });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
    });
    expect(hook.result.current.live?.phase).toBe('running');

    act(() => socket.receive({ type: 'output', stream: 'stdout', data: 'one\n' }));
    await settle();
    expect(hook.result.current.live?.stdout).toEqual([{ kind: 'out', text: 'one\n' }]);

    act(() => {
      socket.receive({ type: 'output', stream: 'stderr', data: 'careful\n' });
      socket.receive({ type: 'output', stream: 'stdout', data: 'two\n' });
    });
    await settle();
    expect(hook.result.current.live?.stdout).toEqual([{ kind: 'out', text: 'one\ntwo\n' }]);
    expect(hook.result.current.live?.stderr).toBe('careful\n');

    await act(async () => {
      socket.receive({ type: 'result', ...result({ stdout: 'one\ntwo\n', stderr: 'careful\n' }) });
      await done;
    });
    expect(hook.result.current).toMatchObject({ busy: null, live: null, problem: null });
    expect(hook.result.current.view).toMatchObject({ source: 'run', result: { stdout: 'one\ntwo\n' } });
    expect(hook.result.current.view?.transcript).toBeUndefined();
  });

  it('echoes a typed line after the output before it, and keeps the transcript in the result', async () => {
    const { sockets, hook } = setUp();
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('name = input("Name? ")\nprint("Hi", name)', '');
    });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
      // The prompt is still in the output buffer when the person presses Enter.
      socket.receive({ type: 'output', stream: 'stdout', data: 'Name? ' });
    });
    let sent = false;
    act(() => {
      sent = hook.result.current.sendLine('Ada');
    });
    expect(sent).toBe(true);
    expect(socket.sent.at(-1)).toEqual({ type: 'stdin', data: 'Ada\n' });
    expect(hook.result.current.live?.stdout).toEqual([
      { kind: 'out', text: 'Name? ' },
      { kind: 'in', text: 'Ada\n' },
    ]);
    act(() => socket.receive({ type: 'output', stream: 'stdout', data: 'Hi Ada\n' }));
    await settle();
    act(() => hook.result.current.closeInput());
    expect(socket.sent.at(-1)).toEqual({ type: 'close_stdin' });
    expect(hook.result.current.live?.stdinOpen).toBe(false);

    await act(async () => {
      socket.receive({ type: 'result', ...result({ stdout: 'Name? Hi Ada\n' }) });
      await done;
    });
    expect(hook.result.current.view?.transcript).toEqual([
      { kind: 'out', text: 'Name? ' },
      { kind: 'in', text: 'Ada\n' },
      { kind: 'out', text: 'Hi Ada\n' },
    ]);
  });

  it('says when the program waits for input, with the prompt before it shown at once', async () => {
    const { sockets, hook } = setUp();
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('name = input("name? ")\nprint(name)', '');
    });
    expect(hook.result.current.live).toMatchObject({ waiting: false, runningSince: null });
    const socket = sockets.last();
    vi.spyOn(Date, 'now').mockReturnValue(1_000_000);
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
    });
    vi.restoreAllMocks();
    expect(hook.result.current.live?.runningSince).toBe(1_000_000);
    act(() => {
      socket.receive({ type: 'output', stream: 'stdout', data: 'name? ' });
      socket.receive({ type: 'waiting_for_input', waiting: true });
    });
    // No 16 ms wait for the output buffer: the prompt shows with the waiting.
    expect(hook.result.current.live).toMatchObject({ waiting: true, stdout: [{ kind: 'out', text: 'name? ' }] });
    act(() => {
      hook.result.current.sendLine('Ada');
    });
    // Still waiting until the server says the program went on (it may read again at once).
    expect(hook.result.current.live?.waiting).toBe(true);
    act(() => socket.receive({ type: 'waiting_for_input', waiting: false }));
    expect(hook.result.current.live?.waiting).toBe(false);
    act(() => socket.receive({ type: 'waiting_for_input', waiting: true }));
    await act(async () => {
      socket.receive({
        type: 'result',
        ...result({ status: 'timeout', stdout: 'name? ', waiting_for_input: true, limit_hit: { name: 'wall_time_s', value: 2 } }),
      });
      await done;
    });
    // The result ends the waiting, and says it was waiting.
    expect(hook.result.current.live).toBeNull();
    expect(hook.result.current.view?.result).toMatchObject({ waiting_for_input: true, limit_hit: { name: 'wall_time_s', value: 2 } });
  });

  it('is no longer waiting once the input is closed (the next read gets end of file)', () => {
    const { sockets, hook } = setUp();
    act(() => {
      void hook.result.current.run('input()', '');
    });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
      socket.receive({ type: 'waiting_for_input', waiting: true });
    });
    expect(hook.result.current.live?.waiting).toBe(true);
    act(() => hook.result.current.closeInput());
    expect(hook.result.current.live).toMatchObject({ waiting: false, stdinOpen: false });
  });

  it('starts the clock of an HTTP fallback run when its request goes', async () => {
    const execute = vi.fn(() => new Promise<never>(() => {}));
    const { sockets, hook } = setUp({ execute });
    act(() => {
      void hook.result.current.run('print(1)', '');
    });
    act(() => sockets.last().fail());
    await waitFor(() => expect(hook.result.current.live).toMatchObject({ transport: 'http', phase: 'running' }));
    expect(hook.result.current.live?.runningSince).toEqual(expect.any(Number));
  });

  it('gives the stdin box’s text as the whole input: closed as soon as the run starts', () => {
    const { sockets, hook } = setUp();
    act(() => {
      void hook.result.current.run('print(input())', 'no newline at the end');
    });
    expect(hook.result.current.live).toMatchObject({ input: 'given', stdinOpen: false });
    const socket = sockets.last();
    act(() => socket.open());
    expect(socket.sent).toEqual([{ type: 'run', code: 'print(input())', stdin: 'no newline at the end', wait: true }]);
    act(() => socket.receive({ type: 'started' }));
    expect(socket.sent.at(-1)).toEqual({ type: 'close_stdin' });
  });

  it('keeps stdin open for typed lines when the box is empty', () => {
    const { sockets, hook } = setUp();
    act(() => {
      void hook.result.current.run('print(input())', '');
    });
    expect(hook.result.current.live).toMatchObject({ input: 'typed', stdinOpen: true });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
    });
    expect(socket.sent.map((m) => m.type)).toEqual(['run']);
  });

  it('stops a run: sends stop and shows the stopped result', async () => {
    const { sockets, hook } = setUp();
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('while True: pass', '');
    });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
    });
    act(() => hook.result.current.stop());
    act(() => hook.result.current.stop());
    expect(socket.sent.filter((m) => m.type === 'stop')).toHaveLength(1);
    expect(hook.result.current.live?.stopping).toBe(true);
    await act(async () => {
      socket.receive({ type: 'result', ...result({ status: 'stopped', stdout: '' }) });
      await done;
    });
    expect(hook.result.current.view?.result.status).toBe('stopped');
  });

  it('falls back to POST /execute, quietly, when the socket cannot open', async () => {
    const execute = vi.fn().mockResolvedValue(result({ stdout: 'over http\n' }));
    const { sockets, hook } = setUp({ execute });
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print("over http")', 'in');
    });
    await act(async () => {
      sockets.last().fail();
      await done;
    });
    expect(execute).toHaveBeenCalledWith({ code: 'print("over http")', stdin: 'in', wait: false }, expect.any(AbortSignal));
    expect(hook.result.current).toMatchObject({ busy: null, problem: null, live: null });
    expect(hook.result.current.view?.result.stdout).toBe('over http\n');
  });

  it('does not fall back after a refusal: a rate limit is a problem with its wait', async () => {
    const execute = vi.fn();
    const { sockets, hook } = setUp({ execute });
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print(1)', '');
    });
    await act(async () => {
      const socket = sockets.last();
      socket.open();
      socket.receive({ type: 'error', status: 429, detail: 'Rate limit exceeded.', retry_after_s: 30 });
      socket.serverClose(4429);
      await done;
    });
    expect(execute).not.toHaveBeenCalled();
    expect(hook.result.current.problem?.problem).toEqual({
      kind: 'rate-limited',
      detail: 'Rate limit exceeded.',
      retryAfterS: 30,
      limit: null,
    });
    expect(hook.result.current.live).toBeNull();
  });

  it.each([
    {
      refusal: 'the rate limit',
      status: 429,
      detail: 'Too many runs from your address (limit: 2/minute). Try again in 42 s.',
      reason: 'rate_limit',
      problem: { kind: 'rate-limited', limit: '2 runs a minute' },
    },
    {
      refusal: 'the client’s share of runs',
      status: 429,
      detail: '2 of your runs are still running, as many as one client may have at once; wait for one to finish (try again in 2 s).',
      reason: 'client_share',
      problem: { kind: 'client-share', retryAfterS: 42 },
    },
    {
      refusal: 'a full server (503)',
      status: 503,
      detail: 'The server is full: all 2 of its sandboxes are running programs, so your code was not started.',
      reason: 'server_full',
      problem: { kind: 'unavailable', retryAfterS: 42 },
    },
  ])('keeps the last result when $refusal refuses the next run: it never started', async ({ status, detail, reason, problem }) => {
    const { sockets, hook } = setUp();
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print("ok")', '');
    });
    await act(async () => {
      const socket = sockets.last();
      socket.open();
      socket.receive({ type: 'started' });
      socket.receive({ type: 'result', ...result({ stdout: 'ok\n' }) });
      await done;
    });
    act(() => {
      done = hook.result.current.run('print("ok")', '');
    });
    await act(async () => {
      const socket = sockets.last();
      socket.open();
      socket.receive({ type: 'error', status, detail, retry_after_s: 42, reason });
      socket.serverClose(4000 + status);
      await done;
    });
    expect(hook.result.current.problem?.problem).toMatchObject(problem);
    expect(hook.result.current).toMatchObject({ busy: null, live: null });
    expect(hook.result.current.view).toMatchObject({ source: 'run', result: { status: 'success', stdout: 'ok\n' } });
  });

  it('shows the run’s place in the line while it waits its turn; the clock starts with the run', async () => {
    const execute = vi.fn();
    const { sockets, hook } = setUp({ execute });
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print("b")', '');
    });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'queued', position: 1, reason: 'server_full' });
    });
    expect(hook.result.current).toMatchObject({
      busy: 'run',
      live: { phase: 'queued', queue: { position: 1, reason: 'server_full' }, runningSince: null },
    });
    act(() => socket.receive({ type: 'queued', position: 0, reason: 'server_full' }));
    expect(hook.result.current.live?.queue).toEqual({ position: 0, reason: 'server_full' });
    // Typed too early: not the program's input.
    act(() => {
      expect(hook.result.current.sendLine('early')).toBe(false);
    });
    vi.spyOn(Date, 'now').mockReturnValue(2_000_000);
    act(() => socket.receive({ type: 'started' }));
    vi.restoreAllMocks();
    expect(hook.result.current.live).toMatchObject({ phase: 'running', queue: null, runningSince: 2_000_000 });
    await act(async () => {
      socket.receive({ type: 'result', ...result({ stdout: 'b\n' }) });
      await done;
    });
    expect(hook.result.current).toMatchObject({ busy: null, live: null, problem: null, view: { result: { stdout: 'b\n' } } });
    expect(execute).not.toHaveBeenCalled();
  });

  it('says why the run waits: this client’s other runs hold its share', () => {
    const { sockets, hook } = setUp();
    act(() => {
      void hook.result.current.run('print(1)', '');
    });
    act(() => {
      sockets.last().open();
      sockets.last().receive({ type: 'queued', position: 0, reason: 'client_share' });
    });
    expect(hook.result.current.live?.queue).toEqual({ position: 0, reason: 'client_share' });
  });

  it('stops a queued run at once: it leaves the line, nothing ran, no HTTP fallback', async () => {
    const execute = vi.fn();
    const { sockets, hook } = setUp({ execute });
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print(1)', '');
    });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'queued', position: 2, reason: 'server_full' });
    });
    await act(async () => {
      hook.result.current.stop();
      await done;
    });
    expect(socket.sent.at(-1)).toEqual({ type: 'stop' });
    expect(socket.closedByClient).toBe(1000);
    expect(execute).not.toHaveBeenCalled();
    expect(hook.result.current).toMatchObject({
      busy: null,
      problem: null,
      view: null,
      live: { phase: 'over', queue: null, cancelled: true, transport: 'stream' },
    });
  });

  it('reports a connection lost while queued, without running the code over HTTP', async () => {
    const execute = vi.fn();
    const { sockets, hook } = setUp({ execute });
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print(1)', '');
    });
    await act(async () => {
      const socket = sockets.last();
      socket.open();
      socket.receive({ type: 'queued', position: 0, reason: 'server_full' });
      socket.serverClose(1006);
      await done;
    });
    expect(execute).not.toHaveBeenCalled();
    expect(hook.result.current).toMatchObject({ busy: null, live: null, problem: { problem: { kind: 'network' } } });
  });

  it('keeps the output so far when the connection drops during the run', async () => {
    const { sockets, hook } = setUp();
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('print(1)', '');
    });
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
      socket.receive({ type: 'output', stream: 'stdout', data: 'partial\n' });
    });
    await act(async () => {
      socket.serverClose(1006);
      await done;
    });
    expect(hook.result.current.problem?.problem.kind).toBe('disconnected');
    expect(hook.result.current.live).toMatchObject({ phase: 'over', stdout: [{ kind: 'out', text: 'partial\n' }] });
  });

  it('stops waiting for an HTTP fallback run when asked to stop', async () => {
    let aborted = false;
    const execute = vi.fn(
      (_body: unknown, signal?: AbortSignal) =>
        new Promise<never>((_resolve, reject) => {
          signal?.addEventListener('abort', () => {
            aborted = true;
            reject(new DOMException('aborted', 'AbortError'));
          });
        }),
    );
    const { sockets, hook } = setUp({ execute });
    let done: Promise<void> = Promise.resolve();
    act(() => {
      done = hook.result.current.run('while True: pass', '');
    });
    act(() => sockets.last().fail());
    await waitFor(() => expect(execute).toHaveBeenCalled());
    expect(hook.result.current.live?.transport).toBe('http');
    await act(async () => {
      hook.result.current.stop();
      await done;
    });
    expect(aborted).toBe(true);
    expect(hook.result.current).toMatchObject({ busy: null, problem: null, view: null, live: { cancelled: true, transport: 'http' } });
  });

  it('closes the socket of a run that is replaced by another', () => {
    const { sockets, hook } = setUp();
    act(() => {
      void hook.result.current.run('print(1)', '');
    });
    const first = sockets.last();
    act(() => {
      first.open();
      first.receive({ type: 'started' });
    });
    act(() => {
      void hook.result.current.run('print(2)', '');
    });
    expect(first.closedByClient).toBe(1000);
    expect(sockets.sockets).toHaveLength(2);
  });
});

describe('useRunner, share', () => {
  /** Starts a Share (or a run) and plays the stream's server until `started`. */
  function started(sockets: ReturnType<typeof fakeSockets>) {
    const socket = sockets.last();
    act(() => {
      socket.open();
      socket.receive({ type: 'started' });
    });
    return socket;
  }

  it('runs live first, then shares the result with the first stdin and every line typed, in order', async () => {
    const share = vi.fn((_body: ShareRequest) => Promise.resolve(sharedRun({ id: 'live1' })));
    const { sockets, hook } = setUp({ share });
    let done: Promise<Shared | null> = Promise.resolve(null);
    act(() => {
      done = hook.result.current.share('a = input()\nb = input()\nprint(a + b)\n1/0', '');
    });
    expect(hook.result.current).toMatchObject({ busy: 'run', sharing: true });
    const socket = started(sockets);
    // Refused before the run is live would not count: only sent lines go in.
    act(() => {
      expect(hook.result.current.sendLine('Ada')).toBe(true);
      expect(hook.result.current.sendLine('')).toBe(true);
      expect(hook.result.current.sendLine('Bob Smith')).toBe(true);
    });
    expect(socket.sent.filter((m) => m.type === 'stdin')).toEqual([
      { type: 'stdin', data: 'Ada\n' },
      { type: 'stdin', data: '\n' },
      { type: 'stdin', data: 'Bob Smith\n' },
    ]);
    const failed = result({ status: 'runtime_error', stdout: 'Ada\n', receipt: 'sig' });
    let shared: Shared | null = null;
    await act(async () => {
      socket.receive({ type: 'result', ...failed });
      shared = await done;
    });
    expect(shared).toEqual({ id: 'live1', code: 'a = input()\nb = input()\nprint(a + b)\n1/0', stdin: '' });
    expect(share).toHaveBeenCalledTimes(1);
    expect(share.mock.calls[0]?.[0]).toEqual({
      code: 'a = input()\nb = input()\nprint(a + b)\n1/0',
      stdin: 'Ada\n\nBob Smith\n',
      result: failed,
      receipt: 'sig',
      visibility: 'unlisted',
    });
    expect(hook.result.current).toMatchObject({ busy: null, sharing: false, problem: null, view: { savedId: 'live1', result: failed } });
    expect(sockets.sockets).toHaveLength(1);
  });

  it('does not count lines sent when the run is not live', async () => {
    const share = vi.fn((_body: ShareRequest) => Promise.resolve(sharedRun()));
    const { sockets, hook } = setUp({ share });
    act(() => {
      void hook.result.current.run('print(input())', '');
    });
    // Not started yet: the line is not sent, so it is not the program's input either.
    act(() => {
      expect(hook.result.current.sendLine('early')).toBe(false);
    });
    const socket = started(sockets);
    act(() => {
      hook.result.current.sendLine('on time');
    });
    await act(async () => {
      socket.receive({ type: 'result', ...result({ receipt: 'r' }) });
      await Promise.resolve();
    });
    await act(async () => {
      await hook.result.current.share('print(input())', '');
    });
    expect(share.mock.calls[0]?.[0].stdin).toBe('on time\n');
  });

  it('leaves out a last typed line the server did not count (it arrived as the run ended)', async () => {
    const refused = new ApiError({ kind: 'invalid', detail: 'x', errors: [{ field: 'body.receipt', message: 'does not match' }] });
    const share = vi.fn((_body: ShareRequest) => Promise.resolve(sharedRun({ id: 'late' })));
    share.mockImplementationOnce(() => Promise.reject(refused));
    const { sockets, hook } = setUp({ share });
    act(() => {
      void hook.result.current.run('print(input())', '');
    });
    const socket = started(sockets);
    act(() => {
      hook.result.current.sendLine('read');
      hook.result.current.sendLine('late');
    });
    await act(async () => {
      socket.receive({ type: 'result', ...result({ receipt: 'r' }) });
      await Promise.resolve();
    });
    let shared: Shared | null = null;
    await act(async () => {
      shared = await hook.result.current.share('print(input())', '');
    });
    expect(share.mock.calls.map(([body]) => body.stdin)).toEqual(['read\nlate\n', 'read\n']);
    expect(shared).toMatchObject({ id: 'late' });
    expect(hook.result.current.problem).toBeNull();
  });

  it('gives up after the whole input and two shorter ones; the next Share runs anew', async () => {
    const refused = new ApiError({ kind: 'invalid', detail: 'x', errors: [{ field: 'body.receipt', message: 'does not match' }] });
    const share = vi.fn((_body: ShareRequest) => Promise.reject(refused));
    const { sockets, hook } = setUp({ share });
    act(() => {
      void hook.result.current.run('x', '');
    });
    const socket = started(sockets);
    act(() => {
      for (const line of ['1', '2', '3']) hook.result.current.sendLine(line);
    });
    await act(async () => {
      socket.receive({ type: 'result', ...result({ stdout: 'kept\n', receipt: 'r' }) });
      await Promise.resolve();
    });
    await act(async () => {
      await hook.result.current.share('x', '');
    });
    expect(share.mock.calls.map(([body]) => body.stdin)).toEqual(['1\n2\n3\n', '1\n2\n', '1\n']);
    expect(hook.result.current.problem).toMatchObject({ action: 'share', problem: { kind: 'invalid' } });
    expect(hook.result.current.view).toMatchObject({ origin: null, savedId: null, result: { stdout: 'kept\n' } });
    act(() => {
      void hook.result.current.share('x', '');
    });
    expect(sockets.sockets).toHaveLength(2);
    expect(hook.result.current).toMatchObject({ busy: 'run', sharing: true });
  });

  it('does not retry other refusals, and keeps the run in view', async () => {
    const share = vi.fn((_body: ShareRequest) => Promise.reject(new ApiError({ kind: 'too-large', detail: 'x' })));
    const execute = vi.fn().mockResolvedValue(result({ stdout: 'big\n', receipt: 'r' }));
    const { sockets, hook } = setUp({ share, execute });
    let done: Promise<Shared | null> = Promise.resolve(null);
    act(() => {
      done = hook.result.current.share('print("x" * 10**6)', 'in');
    });
    let shared: Shared | null = { id: '', code: '', stdin: '' };
    await act(async () => {
      sockets.last().fail();
      shared = await done;
    });
    expect(shared).toBeNull();
    expect(execute).toHaveBeenCalledTimes(1);
    expect(share).toHaveBeenCalledTimes(1);
    expect(share.mock.calls[0]?.[0]).toMatchObject({ stdin: 'in', receipt: 'r' });
    expect(hook.result.current).toMatchObject({ busy: null, sharing: false, problem: { action: 'share', problem: { kind: 'too-large' } } });
    expect(hook.result.current.view).toMatchObject({ origin: { code: 'print("x" * 10**6)' }, result: { stdout: 'big\n' } });
  });

  it('shares nothing when the run it needed was refused', async () => {
    const share = vi.fn();
    const { sockets, hook } = setUp({ share });
    let done: Promise<Shared | null> = Promise.resolve(null);
    act(() => {
      done = hook.result.current.share('print(1)', '');
    });
    let shared: Shared | null = { id: '', code: '', stdin: '' };
    await act(async () => {
      const socket = sockets.last();
      socket.open();
      socket.receive({ type: 'error', status: 429, detail: 'Rate limit exceeded.', retry_after_s: 30 });
      socket.serverClose(4429);
      shared = await done;
    });
    expect(shared).toBeNull();
    expect(share).not.toHaveBeenCalled();
    expect(hook.result.current).toMatchObject({
      busy: null,
      sharing: false,
      problem: { action: 'run', problem: { kind: 'rate-limited' } },
    });
  });

  it('says so when the server gave the run no receipt', async () => {
    const share = vi.fn();
    const execute = vi.fn().mockResolvedValue(result());
    const { sockets, hook } = setUp({ share, execute });
    let done: Promise<Shared | null> = Promise.resolve(null);
    act(() => {
      done = hook.result.current.share('print(1)', '');
    });
    await act(async () => {
      sockets.last().fail();
      await done;
    });
    expect(share).not.toHaveBeenCalled();
    expect(hook.result.current.problem).toMatchObject({ action: 'share', problem: { kind: 'no-receipt' } });
    expect(hook.result.current.view?.result.stdout).toBe('hello\n');
  });
});
