import { afterEach, describe, expect, it, vi } from 'vitest';

import { fakeSockets } from '../test/fakeSocket';
import { result } from '../test/fixtures';
import { ApiError, type ApiProblem } from './errors';
import {
  LiveRunCancelled,
  parseServerMessage,
  startLiveRun,
  StoppedBeforeStart,
  streamUrl,
  StreamUnavailable,
  type LiveRunOptions,
} from './stream';

const URL = 'ws://execbox.test/api/v1/code/stream';

function setUp(options: Partial<LiveRunOptions> = {}) {
  const sockets = fakeSockets();
  const events: string[] = [];
  const live = startLiveRun(
    { code: 'print(1)', stdin: 'first\n' },
    {
      onQueued: (position, reason) => events.push(`queued:${position}:${reason}`),
      onStarted: () => events.push('started'),
      onOutput: (stream, data) => events.push(`${stream}:${data}`),
      onWaiting: (waiting) => events.push(`waiting:${waiting}`),
    },
    { url: URL, socket: sockets.factory, ...options },
  );
  // Keep unhandled-rejection noise out of tests that do not await `done`.
  live.done.catch(() => undefined);
  return { live, socket: sockets.last(), sockets, events };
}

async function problemOf(promise: Promise<unknown>): Promise<ApiProblem> {
  const err: unknown = await promise.then(
    () => new Error('resolved'),
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApiError);
  return (err as ApiError).problem;
}

afterEach(() => vi.useRealTimers());

describe('streamUrl', () => {
  it('uses ws: on http pages and wss: on https pages, same host', () => {
    expect(streamUrl({ protocol: 'http:', host: 'localhost:5173' })).toBe('ws://localhost:5173/api/v1/code/stream');
    expect(streamUrl({ protocol: 'https:', host: 'execbox.example' })).toBe('wss://execbox.example/api/v1/code/stream');
  });
});

describe('parseServerMessage', () => {
  it('accepts the contract’s messages', () => {
    expect(parseServerMessage('{"type":"started"}')).toEqual({ type: 'started' });
    expect(parseServerMessage('{"type":"output","stream":"stderr","data":"x"}')).toEqual({ type: 'output', stream: 'stderr', data: 'x' });
    expect(parseServerMessage(JSON.stringify({ type: 'result', ...result({ status: 'stopped' }) }))).toMatchObject({
      type: 'result',
      status: 'stopped',
    });
    expect(parseServerMessage('{"type":"error","status":429,"detail":"slow down","retry_after_s":7}')).toEqual({
      type: 'error',
      status: 429,
      detail: 'slow down',
      retry_after_s: 7,
    });
  });

  it('ignores what is not a message of the contract', () => {
    for (const raw of [
      'not json',
      '[]',
      '{"type":"gossip"}',
      '{"type":"output","stream":"stdin","data":"x"}',
      '{"type":"result","status":"weird"}',
      new ArrayBuffer(2),
    ]) {
      expect(parseServerMessage(raw)).toBeNull();
    }
  });

  it('accepts waiting_for_input, and ignores one without a boolean', () => {
    expect(parseServerMessage('{"type":"waiting_for_input","waiting":true}')).toEqual({ type: 'waiting_for_input', waiting: true });
    expect(parseServerMessage('{"type":"waiting_for_input","waiting":false}')).toEqual({ type: 'waiting_for_input', waiting: false });
    expect(parseServerMessage('{"type":"waiting_for_input","waiting":"yes"}')).toBeNull();
    expect(parseServerMessage('{"type":"waiting_for_input"}')).toBeNull();
  });

  it('keeps the limit a result names, and whether the program was waiting for input', () => {
    const timedOut = result({ status: 'timeout', limit_hit: { name: 'wall_time_s', value: 2 }, waiting_for_input: true });
    expect(parseServerMessage(JSON.stringify({ type: 'result', ...timedOut }))).toEqual({ type: 'result', ...timedOut });
  });

  it('gives a result from an older server no limit and no waiting, and drops a malformed limit', () => {
    const { limit_hit: _limit, waiting_for_input: _waiting, ...old } = result({ status: 'timeout' });
    expect(parseServerMessage(JSON.stringify({ type: 'result', ...old }))).toMatchObject({ limit_hit: null, waiting_for_input: false });
    expect(parseServerMessage(JSON.stringify({ type: 'result', ...old, limit_hit: { name: 'wall_time_s' } }))).toMatchObject({
      limit_hit: null,
    });
  });

  it('accepts queued with its place in the line, a reason it does not know as null', () => {
    expect(parseServerMessage('{"type":"queued","position":2,"reason":"server_full"}')).toEqual({
      type: 'queued',
      position: 2,
      reason: 'server_full',
    });
    expect(parseServerMessage('{"type":"queued","position":0,"reason":"client_share"}')).toEqual({
      type: 'queued',
      position: 0,
      reason: 'client_share',
    });
    expect(parseServerMessage('{"type":"queued","position":1,"reason":"maintenance"}')).toEqual({
      type: 'queued',
      position: 1,
      reason: null,
    });
    expect(parseServerMessage('{"type":"queued","position":1}')).toEqual({ type: 'queued', position: 1, reason: null });
  });

  it('ignores a queued without a whole, non-negative position', () => {
    for (const position of [-1, 1.5, '1', null]) {
      expect(parseServerMessage(JSON.stringify({ type: 'queued', position, reason: 'server_full' }))).toBeNull();
    }
    expect(parseServerMessage('{"type":"queued","reason":"server_full"}')).toBeNull();
  });

  it('gives a result from a server without rich results an empty list', () => {
    const { results: _results, ...old } = result();
    expect(parseServerMessage(JSON.stringify({ type: 'result', ...old }))).toMatchObject({ results: [] });
  });
});

describe('startLiveRun', () => {
  it('sends the run on open, reports output in order and resolves with the result (without `type`)', async () => {
    const { live, socket, events } = setUp();
    expect(socket.url).toBe(URL);
    expect(socket.sent).toEqual([]);
    socket.open();
    expect(socket.sent).toEqual([{ type: 'run', code: 'print(1)', stdin: 'first\n', wait: true }]);
    socket.receive({ type: 'started' });
    socket.receive({ type: 'output', stream: 'stdout', data: 'a\n' });
    socket.receive({ type: 'output', stream: 'stderr', data: 'warn\n' });
    socket.receive({ type: 'output', stream: 'stdout', data: 'b\n' });
    const final = result({ stdout: 'a\nb\n', stderr: 'warn\n', results: [{ mime: 'text/plain', data: '42' }] });
    socket.receive({ type: 'result', ...final });
    await expect(live.done).resolves.toEqual(final);
    expect(events).toEqual(['started', 'stdout:a\n', 'stderr:warn\n', 'stdout:b\n']);
    // Late frames after the result change nothing.
    socket.receive({ type: 'output', stream: 'stdout', data: 'late' });
    expect(events).toHaveLength(4);
  });

  it('reports waiting for input in order with the output (the prompt first)', async () => {
    const { live, socket, events } = setUp();
    socket.open();
    socket.receive({ type: 'started' });
    socket.receive({ type: 'output', stream: 'stdout', data: 'name? ' });
    socket.receive({ type: 'waiting_for_input', waiting: true });
    socket.receive({ type: 'waiting_for_input', waiting: false });
    socket.receive({ type: 'output', stream: 'stdout', data: 'hi\n' });
    socket.receive({ type: 'result', ...result() });
    await live.done;
    expect(events).toEqual(['started', 'stdout:name? ', 'waiting:true', 'waiting:false', 'stdout:hi\n']);
  });

  it('maps a policy refusal to the same problem as the HTTP API', async () => {
    const { live, socket } = setUp();
    socket.open();
    const violation = { line: 1, col: 8, end_line: 1, end_col: 10, rule: 'import-not-allowed', message: "import of 'os' is not allowed" };
    socket.receive({ type: 'error', status: 422, detail: 'The code breaks the policy.', violations: [violation] });
    socket.serverClose(4422);
    expect(await problemOf(live.done)).toEqual({ kind: 'policy', detail: 'The code breaks the policy.', violations: [violation] });
  });

  it.each([
    [
      { status: 429, detail: 'Rate limit exceeded.', retry_after_s: 12.2 },
      { kind: 'rate-limited', retryAfterS: 13 },
    ],
    [
      {
        status: 429,
        detail: '2 of your runs are still running, as many as one client may have at once; wait for one to finish (try again in 2 s).',
        retry_after_s: 2,
        reason: 'client_share',
      },
      { kind: 'client-share', retryAfterS: 2 },
    ],
    [{ status: 413, detail: 'Too big.' }, { kind: 'too-large' }],
    [
      { status: 503, detail: 'The sandbox is not ready.', retry_after_s: 5 },
      { kind: 'unavailable', retryAfterS: 5 },
    ],
    [
      { status: 422, detail: 'Bad body.', errors: [{ field: 'stdin', message: 'too long' }] },
      { kind: 'invalid', errors: [{ field: 'stdin', message: 'too long' }] },
    ],
    [
      { status: 400, detail: 'Protocol broken.' },
      { kind: 'unexpected', status: 400 },
    ],
  ])('maps error %o', async (error, expected) => {
    const { live, socket } = setUp();
    socket.open();
    socket.receive({ type: 'error', ...error });
    expect(await problemOf(live.done)).toMatchObject(expected);
  });

  it('asks for the HTTP fallback when the socket cannot open', async () => {
    const { live, socket } = setUp();
    socket.fail();
    await expect(live.done).rejects.toBeInstanceOf(StreamUnavailable);
  });

  it('asks for the HTTP fallback when the socket closes before `started` without an error', async () => {
    const { live, socket } = setUp();
    socket.open();
    socket.serverClose(1011);
    await expect(live.done).rejects.toBeInstanceOf(StreamUnavailable);
  });

  it('asks for the HTTP fallback when WebSocket itself throws', async () => {
    const live = startLiveRun(
      { code: '', stdin: '' },
      {},
      {
        url: 'ws://x',
        socket: () => {
          throw new Error('SecurityError');
        },
      },
    );
    await expect(live.done).rejects.toBeInstanceOf(StreamUnavailable);
  });

  it('gives up on a server that never starts the run, closing the socket', async () => {
    vi.useFakeTimers();
    const { live, socket } = setUp({ handshakeTimeoutMs: 1_000 });
    socket.open();
    vi.advanceTimersByTime(999);
    expect(socket.closedByClient).toBeNull();
    vi.advanceTimersByTime(1);
    await expect(live.done).rejects.toBeInstanceOf(StreamUnavailable);
    expect(socket.closedByClient).toBe(1000);
  });

  it('does not time out a run that started, however long it runs', async () => {
    vi.useFakeTimers();
    const { live, socket } = setUp({ handshakeTimeoutMs: 1_000 });
    socket.open();
    socket.receive({ type: 'started' });
    vi.advanceTimersByTime(60_000);
    socket.receive({ type: 'result', ...result() });
    await expect(live.done).resolves.toMatchObject({ status: 'success' });
  });

  it('reports its place in the line while the run waits its turn, then the run as usual', async () => {
    const { live, socket, events } = setUp();
    socket.open();
    socket.receive({ type: 'queued', position: 2, reason: 'server_full' });
    socket.receive({ type: 'queued', position: 1, reason: 'server_full' });
    socket.receive({ type: 'queued', position: 0, reason: 'client_share' });
    // Not live yet: nothing goes to the program's stdin.
    expect(live.sendStdin('early\n')).toBe(false);
    socket.receive({ type: 'started' });
    socket.receive({ type: 'output', stream: 'stdout', data: 'b\n' });
    socket.receive({ type: 'result', ...result({ stdout: 'b\n' }) });
    await expect(live.done).resolves.toMatchObject({ stdout: 'b\n' });
    expect(events).toEqual(['queued:2:server_full', 'queued:1:server_full', 'queued:0:client_share', 'started', 'stdout:b\n']);
  });

  it('ignores a queued after `started`', async () => {
    const { live, socket, events } = setUp();
    socket.open();
    socket.receive({ type: 'started' });
    socket.receive({ type: 'queued', position: 0, reason: 'server_full' });
    socket.receive({ type: 'result', ...result() });
    await live.done;
    expect(events).toEqual(['started']);
  });

  it('waits as long as the run is queued: no handshake timeout once the server queued it', async () => {
    vi.useFakeTimers();
    const { live, socket, events } = setUp({ handshakeTimeoutMs: 1_000 });
    socket.open();
    vi.advanceTimersByTime(900);
    socket.receive({ type: 'queued', position: 0, reason: 'server_full' });
    vi.advanceTimersByTime(60_000);
    expect(socket.closedByClient).toBeNull();
    socket.receive({ type: 'started' });
    socket.receive({ type: 'result', ...result() });
    await expect(live.done).resolves.toMatchObject({ status: 'success' });
    expect(events).toEqual(['queued:0:server_full', 'started']);
  });

  it('leaves the line at once when stopped while queued: stop, close, StoppedBeforeStart', async () => {
    const { live, socket, events } = setUp();
    socket.open();
    socket.receive({ type: 'queued', position: 3, reason: 'client_share' });
    live.stop();
    expect(socket.sent.at(-1)).toEqual({ type: 'stop' });
    expect(socket.closedByClient).toBe(1000);
    await expect(live.done).rejects.toBeInstanceOf(StoppedBeforeStart);
    socket.receive({ type: 'started' });
    expect(events).toEqual(['queued:3:client_share']);
  });

  it('leaves the line as soon as it is queued when stopped before the server answered', async () => {
    const { live, socket, events } = setUp();
    socket.open();
    live.stop();
    expect(socket.sent).toHaveLength(1);
    socket.receive({ type: 'queued', position: 0, reason: 'server_full' });
    expect(socket.sent.at(-1)).toEqual({ type: 'stop' });
    expect(socket.closedByClient).toBe(1000);
    await expect(live.done).rejects.toBeInstanceOf(StoppedBeforeStart);
    expect(events).toEqual([]);
  });

  it('reports a connection lost while queued as a network problem, not a reason to use HTTP', async () => {
    const { live, socket } = setUp();
    socket.open();
    socket.receive({ type: 'queued', position: 1, reason: 'server_full' });
    socket.serverClose(1006);
    expect(await problemOf(live.done)).toMatchObject({ kind: 'network' });
  });

  it('reports a connection lost during the run (no fallback: the program already ran)', async () => {
    const { live, socket } = setUp();
    socket.open();
    socket.receive({ type: 'started' });
    socket.receive({ type: 'output', stream: 'stdout', data: 'partial' });
    socket.serverClose(1006);
    expect(await problemOf(live.done)).toMatchObject({ kind: 'disconnected' });
  });

  it('sends stdin and close_stdin only while the run is live', async () => {
    const { live, socket } = setUp();
    expect(live.sendStdin('too early\n')).toBe(false);
    socket.open();
    expect(live.sendStdin('still too early\n')).toBe(false);
    socket.receive({ type: 'started' });
    expect(live.sendStdin('Ada\n')).toBe(true);
    expect(live.closeStdin()).toBe(true);
    socket.receive({ type: 'result', ...result() });
    await live.done;
    expect(live.sendStdin('too late\n')).toBe(false);
    expect(socket.sent.slice(1)).toEqual([{ type: 'stdin', data: 'Ada\n' }, { type: 'close_stdin' }]);
  });

  it('sends stop, and a stop asked for before `started` as soon as the run starts', async () => {
    const first = setUp();
    first.socket.open();
    first.socket.receive({ type: 'started' });
    first.live.stop();
    expect(first.socket.sent.at(-1)).toEqual({ type: 'stop' });
    first.socket.receive({ type: 'result', ...result({ status: 'stopped' }) });
    await expect(first.live.done).resolves.toMatchObject({ status: 'stopped' });

    const early = setUp();
    early.live.stop();
    early.socket.open();
    expect(early.socket.sent).toEqual([{ type: 'run', code: 'print(1)', stdin: 'first\n', wait: true }]);
    early.socket.receive({ type: 'started' });
    expect(early.socket.sent.at(-1)).toEqual({ type: 'stop' });
  });

  it('closes the socket on cancel (the server stops the run) and rejects with LiveRunCancelled', async () => {
    const { live, socket, events } = setUp();
    socket.open();
    socket.receive({ type: 'started' });
    live.cancel();
    expect(socket.closedByClient).toBe(1000);
    await expect(live.done).rejects.toBeInstanceOf(LiveRunCancelled);
    socket.receive({ type: 'output', stream: 'stdout', data: 'ignored' });
    expect(events).toEqual(['started']);
  });

  it('closes the socket itself once the result is in', async () => {
    const { live, socket } = setUp();
    socket.open();
    socket.receive({ type: 'started' });
    socket.receive({ type: 'result', ...result() });
    await live.done;
    expect(socket.closedByClient).toBe(1000);
  });
});

describe('a signed-in tab on the stream', () => {
  it('offers its access token as the subprotocol after execbox.bearer, and nothing when signed out', () => {
    expect(setUp({ credential: 'jwt.token.here' }).socket.protocols).toEqual(['execbox.bearer', 'jwt.token.here']);
    expect(setUp({ credential: null }).socket.protocols).toBeUndefined();
    expect(setUp().socket.protocols).toBeUndefined();
  });
});
