// The one HTTP client of the app. Its response interceptor maps every failure to an ApiError
// (see errors.ts), so callers only ever catch ApiError.
import axios, { AxiosError, AxiosHeaders, type AxiosAdapter, type AxiosInstance, type AxiosResponse } from 'axios';

import { createAccountApi, type AccountApi } from './accounts';
import { ApiError, problemFromBody, type ApiProblem } from './errors';
import { keepOwnerToken, ownerHeaders } from './ownerToken';
import { createSession, type Session } from './session';
import { startLiveRun, type LiveRun, type LiveRunCallbacks, type LiveRunRequest, type SocketFactory } from './stream';
import type { ExecuteRequest, ExecutionResult, RuntimeInfo, SharedRun, ShareRequest, Submission } from './types';

// Long enough for a queued run at the maximum wall-time limit; the server enforces the real one.
const REQUEST_TIMEOUT_MS = 120_000;

/** The Retry-After header in seconds (a number of seconds or an HTTP date); null without one. */
function retryAfterHeader(response: AxiosResponse<unknown>): number | null {
  const raw: unknown = AxiosHeaders.from(response.headers as AxiosHeaders).get('retry-after');
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const asNumber = Number(raw);
  if (Number.isFinite(asNumber)) return Math.max(0, Math.ceil(asNumber));
  const asDate = Date.parse(raw);
  if (Number.isNaN(asDate)) return null;
  return Math.max(0, Math.ceil((asDate - Date.now()) / 1000));
}

/** Exported for tests: the whole error mapping, from an Axios failure to an ApiProblem. */
export function toProblem(error: unknown): ApiProblem {
  if (!axios.isAxiosError(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return { kind: 'network', detail: message };
  }
  const response = error.response;
  if (!response) {
    if (error.code === AxiosError.ECONNABORTED || error.code === AxiosError.ETIMEDOUT) {
      return { kind: 'timeout', detail: error.message };
    }
    return { kind: 'network', detail: error.message };
  }
  return problemFromBody(response.status, response.data, error.message, retryAfterHeader(response));
}

export interface ApiClient {
  execute(body: ExecuteRequest, signal?: AbortSignal): Promise<ExecutionResult>;
  /** A live run over the WebSocket stream (see stream.ts); its `done` may ask for the HTTP fallback. */
  live(body: LiveRunRequest, callbacks: LiveRunCallbacks): LiveRun;
  /** Saves a finished run as it ended (its result and receipt as the server returned them): no new run. */
  share(body: ShareRequest, signal?: AbortSignal): Promise<SharedRun>;
  submission(id: string, signal?: AbortSignal): Promise<Submission>;
  runtime(signal?: AbortSignal): Promise<RuntimeInfo>;
  /** Accounts: only where the runtime says they are enabled. */
  account: AccountApi;
}

export interface ClientOptions {
  baseURL?: string;
  /** Tests pass a stub adapter; the browser uses Axios's XHR adapter. */
  adapter?: AxiosAdapter;
  timeoutMs?: number;
  /** The stream's URL (default: ws[s]://<this origin>/api/v1/code/stream). */
  streamUrl?: string;
  /** Tests pass a fake WebSocket; the browser uses its own. */
  socket?: SocketFactory;
  /** The signed-in tab's token (default: kept in sessionStorage; see session.ts). */
  session?: Session;
}

/**
 * Every HTTP request of a signed-in tab carries its access token, so that its runs, saves and
 * reads are its account's (private submissions included). A 401 to that token means the server
 * no longer takes it (lapsed, or the account is gone): the tab is signed out.
 */
function authenticate(instance: AxiosInstance, session: Session): void {
  instance.interceptors.request.use((config) => {
    const token = session.token();
    if (token !== null) config.headers.set('Authorization', `Bearer ${token}`);
    return config;
  });
  instance.interceptors.response.use(undefined, (error: Error) => {
    if (axios.isAxiosError(error) && error.response?.status === 401) {
      const sent = AxiosHeaders.from(error.config?.headers).get('Authorization');
      const token = session.token();
      if (token !== null && sent === `Bearer ${token}`) session.drop();
    }
    return Promise.reject(error);
  });
}

export function createAxios(options: ClientOptions = {}, session?: Session): AxiosInstance {
  const instance = axios.create({
    baseURL: options.baseURL ?? '',
    timeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
    headers: { Accept: 'application/json' },
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
  // First: it sees the Axios error, before the mapping below turns it into an ApiError.
  if (session) authenticate(instance, session);
  instance.interceptors.response.use(
    (response) => response,
    (error: unknown) => {
      // A cancelled request (the user started another run) is not an error to report.
      if (axios.isCancel(error)) return Promise.reject(error);
      return Promise.reject(new ApiError(toProblem(error)));
    },
  );
  return instance;
}

export function createApiClient(options: ClientOptions = {}): ApiClient {
  const session = options.session ?? createSession();
  const http = createAxios(options, session);
  return {
    async execute(body, signal) {
      const { data } = await http.post<ExecutionResult>('/api/v1/code/execute', body, { signal });
      return data;
    },
    live(body, callbacks) {
      return startLiveRun(body, callbacks, { url: options.streamUrl, socket: options.socket, credential: session.token() });
    },
    async share(body, signal) {
      // Signed in, the account owns the run: the browser's owner token is for anonymous saves.
      const { data } = await http.post<SharedRun>('/api/v1/code/shares', body, {
        signal,
        headers: session.token() === null ? ownerHeaders() : {},
      });
      keepOwnerToken(data.owner_token);
      return data;
    },
    async submission(id, signal) {
      const { data } = await http.get<Submission>(`/api/v1/code/submissions/${encodeURIComponent(id)}`, { signal });
      return data;
    },
    async runtime(signal) {
      const { data } = await http.get<RuntimeInfo>('/api/v1/runtime', { signal });
      return data;
    },
    account: createAccountApi(http, session),
  };
}

export const isCancelled = (error: unknown): boolean => axios.isCancel(error);
