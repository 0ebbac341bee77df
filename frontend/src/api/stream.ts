// The live-run client: one WebSocket to /api/v1/code/stream carries one run (docs/streaming.md).
// Message types come from the schema (StreamClientMessage, StreamServerMessage); the parser below
// checks each frame at run time.
import { ApiError, isFieldProblem, isObject, isViolation, problemFromBody } from './errors';
import type {
  ClientMessage,
  ErrorMessage,
  ExecuteRequest,
  ExecutionResult,
  LimitHit,
  OutputMessage,
  RefusalReason,
  ResultMessage,
  RunStatus,
  Schemas,
  StartedMessage,
  WaitingMessage,
} from './types';

export type {
  ClientMessage,
  CloseStdinMessage,
  ErrorMessage,
  OutputMessage,
  ResultMessage,
  RunMessage,
  StartedMessage,
  StdinMessage,
  StopMessage,
  WaitingMessage,
} from './types';

export const STREAM_PATH = '/api/v1/code/stream';

/** How long the socket may take to open and the server to accept the run before we use HTTP. */
const HANDSHAKE_TIMEOUT_MS = 10_000;

// --- client → server -------------------------------------------------------------------------
// RunMessage: first and once, the program with the initial stdin and limits of POST
// /api/v1/code/execute; `wait`: a run that cannot start at once (every sandbox busy, or this
// client's share of runs alive) waits for its turn, told by `queued` messages, instead of being
// refused (429, 503). StdinMessage: appended to the program's stdin as is (`"line\n"` for input()
// to return `"line"`). CloseStdinMessage: end of input. StopMessage: ends the run now.

/** What a live run is given: the program, its stdin and limits (the stream always waits: `wait` is its own). */
export type LiveRunRequest = Omit<ExecuteRequest, 'wait'>;

// --- server → client -------------------------------------------------------------------------
// StartedMessage: the run is under way (after any `queued`). OutputMessage: output as the program
// writes it, in order within each stream. WaitingMessage: the program started (`true`) or stopped
// (`false`) being blocked reading its stdin. ResultMessage: every field of execute's answer; the
// server then closes the socket (1000). ErrorMessage: refused, or the client broke the protocol:
// the HTTP API's body and status; then close 4000 + status.

/**
 * Why a run waits: `server_full`, every sandbox of the server is busy; `client_share`, this client
 * (its address or key) already has its share of runs alive, and this one starts when one ends.
 */
export type QueueReason = Schemas['QueuedMessage']['reason'];
/**
 * Before `started`, zero or more (only for a run sent with `wait`): the run waits for its turn.
 * `position`: how many runs start before this one (0: it is next); it goes down as they start.
 * `reason` null: a reason newer than this page (it still waits for its turn).
 */
export type QueuedMessage = Omit<Schemas['QueuedMessage'], 'reason'> & { reason: QueueReason | null };
export type ServerMessage = StartedMessage | QueuedMessage | OutputMessage | WaitingMessage | ResultMessage | ErrorMessage;
export type StreamName = OutputMessage['stream'];

// Every status of the schema, so a result's status can be checked at run time; keyed by the
// schema's statuses, this fails to compile when the backend adds a status it lacks.
const RUN_STATUSES: Readonly<Record<RunStatus, true>> = {
  success: true,
  runtime_error: true,
  timeout: true,
  memory_limit: true,
  output_limit: true,
  stopped: true,
  internal_error: true,
};

function isQueueReason(v: unknown): v is QueueReason {
  return v === 'server_full' || v === 'client_share';
}

function isRunStatus(v: unknown): v is RunStatus {
  return typeof v === 'string' && Object.hasOwn(RUN_STATUSES, v);
}

function isResultMessage(m: Record<string, unknown>): m is ResultMessage {
  return (
    m.type === 'result' &&
    isRunStatus(m.status) &&
    typeof m.stdout === 'string' &&
    typeof m.stderr === 'string' &&
    isObject(m.truncated) &&
    typeof m.wall_ms === 'number' &&
    typeof m.cpu_ms === 'number' &&
    typeof m.memory_kb === 'number' &&
    (m.results === undefined || Array.isArray(m.results))
  );
}

function isLimitHit(v: unknown): v is LimitHit {
  return isObject(v) && typeof v.name === 'string' && typeof v.value === 'number';
}

/** A frame's text as a ServerMessage; null for anything else (unknown types are ignored). */
export function parseServerMessage(raw: unknown): ServerMessage | null {
  if (typeof raw !== 'string') return null;
  let m: unknown;
  try {
    m = JSON.parse(raw);
  } catch {
    return null;
  }
  if (!isObject(m)) return null;
  switch (m.type) {
    case 'started':
      return { type: 'started' };
    case 'queued':
      if (typeof m.position !== 'number' || !Number.isInteger(m.position) || m.position < 0) return null;
      return { type: 'queued', position: m.position, reason: isQueueReason(m.reason) ? m.reason : null };
    case 'output':
      if ((m.stream !== 'stdout' && m.stream !== 'stderr') || typeof m.data !== 'string') return null;
      return { type: 'output', stream: m.stream, data: m.data };
    case 'waiting_for_input':
      if (typeof m.waiting !== 'boolean') return null;
      return { type: 'waiting_for_input', waiting: m.waiting };
    case 'result':
      if (!isResultMessage(m)) return null;
      // `results`, `limit_hit` and `waiting_for_input` are newer than the contract: an older
      // server's result has none of them.
      return {
        ...m,
        results: Array.isArray(m.results) ? m.results : [],
        limit_hit: isLimitHit(m.limit_hit) ? { name: m.limit_hit.name, value: m.limit_hit.value } : null,
        waiting_for_input: m.waiting_for_input === true,
      };
    case 'error': {
      if (typeof m.status !== 'number') return null;
      const message: ErrorMessage = { type: 'error', status: m.status, detail: typeof m.detail === 'string' ? m.detail : '' };
      if (Array.isArray(m.violations)) message.violations = m.violations.filter(isViolation);
      if (Array.isArray(m.errors)) message.errors = m.errors.filter(isFieldProblem);
      if (typeof m.retry_after_s === 'number') message.retry_after_s = m.retry_after_s;
      // A reason newer than this page is kept as it came: it matches none this page tests for.
      if (typeof m.reason === 'string') message.reason = m.reason as RefusalReason;
      return message;
    }
    default:
      return null;
  }
}

/** The result without the message's `type`: what POST /api/v1/code/execute answers. */
function resultOf(message: ResultMessage): ExecutionResult {
  const { type: _type, ...result } = message;
  return result;
}

// --- the socket ------------------------------------------------------------------------------

/** What the client needs of a WebSocket (the browser's is one; tests pass a fake). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number }) => void): void;
}

export type SocketFactory = (url: string, protocols?: string[]) => SocketLike;

/**
 * A browser cannot set headers on a WebSocket: a signed-in tab offers its credential as the second
 * of two subprotocols after this one, which the server selects (backend api/deps.py).
 */
export const BEARER_SUBPROTOCOL = 'execbox.bearer';

const OPEN = 1;

/** ws:// or wss:// to the stream on the page's own origin. */
export function streamUrl(location: Pick<Location, 'protocol' | 'host'> = window.location): string {
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}${STREAM_PATH}`;
}

/** The socket did not carry the run (it did not open, or closed before `started` without an error): use HTTP. */
export class StreamUnavailable extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'StreamUnavailable';
  }
}

/** The run was stopped while it waited for its turn: it never ran (the socket is closed). */
export class StoppedBeforeStart extends Error {
  constructor() {
    super('The run was stopped before it started.');
    this.name = 'StoppedBeforeStart';
  }
}

/** The caller cancelled the live run (closing the socket stops it on the server). */
export class LiveRunCancelled extends Error {
  constructor() {
    super('The live run was cancelled.');
    this.name = 'LiveRunCancelled';
  }
}

export interface LiveRunCallbacks {
  /** The run waits for its turn: `position` runs start before it (0: next), for `reason`. */
  onQueued?(position: number, reason: QueueReason | null): void;
  onStarted?(): void;
  onOutput?(stream: StreamName, data: string): void;
  /** The program started (`true`) or stopped (`false`) waiting for input (after the output before it). */
  onWaiting?(waiting: boolean): void;
}

export interface LiveRun {
  /**
   * The result. Rejects with ApiError (refused: the HTTP API's problem; the connection was lost
   * while the run waited its turn: kind `network`; or after `started`: kind `disconnected`),
   * StreamUnavailable (fall back to HTTP), StoppedBeforeStart, or LiveRunCancelled.
   */
  readonly done: Promise<ExecutionResult>;
  /** Appends to the program's stdin; false when the run is not live (not started yet, or over). */
  sendStdin(data: string): boolean;
  closeStdin(): boolean;
  /**
   * Ends the run (the result says `stopped`). While it waits for its turn (after `queued`) it
   * leaves the queue at once: the socket closes and `done` rejects with StoppedBeforeStart. Before
   * either, it is done as soon as the server says which.
   */
  stop(): void;
  /** Closes the socket without waiting for a result. */
  cancel(): void;
}

export interface LiveRunOptions {
  url?: string;
  socket?: SocketFactory;
  /** The signed-in tab's access token: the run is its account's. */
  credential?: string | null;
  handshakeTimeoutMs?: number;
}

const browserSocket: SocketFactory = (url, protocols) => new WebSocket(url, protocols);

export function startLiveRun(request: LiveRunRequest, callbacks: LiveRunCallbacks = {}, options: LiveRunOptions = {}): LiveRun {
  let started = false;
  /** The server accepted the run and said it waits for its turn (a `queued` came, `started` not yet). */
  let queued = false;
  let settled = false;
  let stopWanted = false;
  let resolveDone: (result: ExecutionResult) => void = () => {};
  let rejectDone: (error: Error) => void = () => {};
  const done = new Promise<ExecutionResult>((resolve, reject) => {
    resolveDone = resolve;
    rejectDone = reject;
  });

  let socket: SocketLike | null = null;
  let handshake: ReturnType<typeof setTimeout> | undefined;

  const settle = (outcome: { result: ExecutionResult } | { error: Error }) => {
    if (settled) return;
    settled = true;
    clearTimeout(handshake);
    if ('result' in outcome) resolveDone(outcome.result);
    else rejectDone(outcome.error);
    if (socket && socket.readyState <= OPEN) socket.close(1000);
  };

  const send = (message: ClientMessage): boolean => {
    if (settled || !socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(message));
    return true;
  };

  try {
    const protocols = options.credential ? [BEARER_SUBPROTOCOL, options.credential] : undefined;
    socket = (options.socket ?? browserSocket)(options.url ?? streamUrl(), protocols);
  } catch (err) {
    settle({ error: new StreamUnavailable(err instanceof Error ? err.message : String(err)) });
    return { done, sendStdin: () => false, closeStdin: () => false, stop: () => {}, cancel: () => {} };
  }

  handshake = setTimeout(
    () => settle({ error: new StreamUnavailable('the server did not start the live run in time') }),
    options.handshakeTimeoutMs ?? HANDSHAKE_TIMEOUT_MS,
  );

  /** Leaves the queue: the server drops a waiting run whose socket closes (the stop says why first). */
  const leaveQueue = () => {
    send({ type: 'stop' });
    settle({ error: new StoppedBeforeStart() });
  };

  socket.addEventListener('open', () => {
    // The playground's user would rather wait for a busy server than be refused by it.
    send({ type: 'run', ...request, wait: true });
  });
  socket.addEventListener('message', (event) => {
    if (settled) return;
    const message = parseServerMessage(event.data);
    if (!message) return;
    switch (message.type) {
      case 'queued':
        if (started) break;
        queued = true;
        // Accepted: it waits for its turn, however long that takes (the server bounds the wait).
        clearTimeout(handshake);
        if (stopWanted) {
          leaveQueue();
          break;
        }
        callbacks.onQueued?.(message.position, message.reason);
        break;
      case 'started':
        started = true;
        clearTimeout(handshake);
        if (stopWanted) send({ type: 'stop' });
        callbacks.onStarted?.();
        break;
      case 'output':
        callbacks.onOutput?.(message.stream, message.data);
        break;
      case 'waiting_for_input':
        callbacks.onWaiting?.(message.waiting);
        break;
      case 'result':
        settle({ result: resultOf(message) });
        break;
      case 'error':
        settle({ error: new ApiError(problemFromBody(message.status, message, `HTTP ${message.status}`)) });
        break;
    }
  });
  // An `error` event is always followed by `close`, which decides.
  socket.addEventListener('error', () => {});
  socket.addEventListener('close', (event) => {
    if (queued && !started) {
      // The stream works (it queued the run): the server or the network went away, not the stream.
      settle({
        error: new ApiError({ kind: 'network', detail: `the socket closed while the run waited for its turn (code ${event.code})` }),
      });
    } else if (!started) {
      settle({ error: new StreamUnavailable(`the socket closed before the run started (code ${event.code})`) });
    } else {
      settle({ error: new ApiError({ kind: 'disconnected', detail: `the socket closed during the run (code ${event.code})` }) });
    }
  });

  return {
    done,
    sendStdin: (data) => started && send({ type: 'stdin', data }),
    closeStdin: () => started && send({ type: 'close_stdin' }),
    stop: () => {
      stopWanted = true;
      if (started) send({ type: 'stop' });
      else if (queued) leaveQueue();
    },
    cancel: () => settle({ error: new LiveRunCancelled() }),
  };
}
