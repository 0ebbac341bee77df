// A WebSocket stand-in for the stream client's tests: records what the client sends and lets the
// test play the server (open, messages, close).
import type { ClientMessage, SocketFactory, SocketLike } from '../api/stream';

type Listener = (event: { data: unknown; code: number }) => void;

const CONNECTING = 0;
const OPEN = 1;
const CLOSED = 3;

export class FakeSocket implements SocketLike {
  readyState = CONNECTING;
  readonly sent: ClientMessage[] = [];
  /** The code the client closed with, or null while it has not. */
  closedByClient: number | null = null;
  private readonly listeners = new Map<string, Listener[]>();

  constructor(
    readonly url: string,
    /** The subprotocols the client offered (a signed-in tab's credential rides there). */
    readonly protocols?: string[],
  ) {}

  addEventListener(type: 'open' | 'error', listener: () => void): void;
  addEventListener(type: 'message', listener: (event: { data: unknown }) => void): void;
  addEventListener(type: 'close', listener: (event: { code: number }) => void): void;
  addEventListener(type: string, listener: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  send(data: string): void {
    if (this.readyState !== OPEN) throw new Error('send on a socket that is not open');
    this.sent.push(JSON.parse(data) as ClientMessage);
  }

  close(code = 1000): void {
    if (this.readyState === CLOSED) return;
    this.closedByClient = code;
    this.readyState = CLOSED;
    // Like a browser: the close event comes later, in its own task.
    setTimeout(() => this.emit('close', { code }), 0);
  }

  // --- the server's side ---

  open(): void {
    this.readyState = OPEN;
    this.emit('open');
  }

  receive(message: Record<string, unknown>): void {
    this.emit('message', { data: JSON.stringify(message) });
  }

  receiveRaw(data: unknown): void {
    this.emit('message', { data });
  }

  /** The server (or the network) closes the socket. */
  serverClose(code: number): void {
    if (this.readyState === CLOSED) return;
    this.readyState = CLOSED;
    this.emit('close', { code });
  }

  /** The connection fails: an error event, then close 1006, as browsers report it. */
  fail(): void {
    this.emit('error');
    this.serverClose(1006);
  }

  private emit(type: string, event: { data?: unknown; code?: number } = {}): void {
    for (const listener of this.listeners.get(type) ?? []) listener({ data: event.data, code: event.code ?? 0 });
  }
}

/** A socket factory that remembers every socket it made. */
export function fakeSockets(): { factory: SocketFactory; sockets: FakeSocket[]; last(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    factory: (url, protocols) => {
      const socket = new FakeSocket(url, protocols);
      sockets.push(socket);
      return socket;
    },
    sockets,
    last() {
      const socket = sockets[sockets.length - 1];
      if (!socket) throw new Error('no socket was opened');
      return socket;
    },
  };
}
