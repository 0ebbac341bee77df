// The one HTTP client of the app. Its response interceptor maps every failure to an ApiError
// (see errors.ts), so callers only ever catch ApiError.
import axios, {
  AxiosError,
  AxiosHeaders,
  type AxiosAdapter,
  type AxiosInstance,
  type AxiosResponse,
} from 'axios';

import { ApiError, type ApiProblem } from './errors';
import type {
  ExecuteRequest,
  ExecutionResult,
  FieldProblem,
  RuntimeInfo,
  SubmitResult,
  Submission,
  Violation,
} from './types';

// Long enough for a queued run at the maximum wall-time limit; the server enforces the real one.
const REQUEST_TIMEOUT_MS = 120_000;

type Json = Record<string, unknown>;

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function detailOf(data: unknown, fallback: string): string {
  if (isObject(data) && typeof data.detail === 'string' && data.detail.trim() !== '') {
    return data.detail;
  }
  return fallback;
}

/** Retry-After in seconds: the body's retry_after_s first, then the header (seconds or a date). */
function retryAfterOf(response: AxiosResponse<unknown>): number | null {
  const data = response.data;
  if (isObject(data) && typeof data.retry_after_s === 'number' && Number.isFinite(data.retry_after_s)) {
    return Math.max(0, Math.ceil(data.retry_after_s));
  }
  const raw: unknown = AxiosHeaders.from(response.headers as AxiosHeaders).get('retry-after');
  if (typeof raw !== 'string' || raw.trim() === '') return null;
  const asNumber = Number(raw);
  if (Number.isFinite(asNumber)) return Math.max(0, Math.ceil(asNumber));
  const asDate = Date.parse(raw);
  if (Number.isNaN(asDate)) return null;
  return Math.max(0, Math.ceil((asDate - Date.now()) / 1000));
}

function isViolation(v: unknown): v is Violation {
  return isObject(v) && typeof v.line === 'number' && typeof v.col === 'number' && typeof v.message === 'string';
}

function isFieldProblem(v: unknown): v is FieldProblem {
  return isObject(v) && typeof v.field === 'string' && typeof v.message === 'string';
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
  const { status, data } = response;
  const detail = detailOf(data, error.message);
  if (status === 422) {
    // One status, two shapes: the code policy (violations) or an invalid body (errors).
    if (isObject(data) && Array.isArray(data.violations)) {
      return { kind: 'policy', detail, violations: data.violations.filter(isViolation) };
    }
    const errors = isObject(data) && Array.isArray(data.errors) ? data.errors.filter(isFieldProblem) : [];
    return { kind: 'invalid', detail, errors };
  }
  if (status === 429) return { kind: 'rate-limited', detail, retryAfterS: retryAfterOf(response) ?? 60 };
  if (status === 413) return { kind: 'too-large', detail };
  if (status === 503) return { kind: 'unavailable', detail, retryAfterS: retryAfterOf(response) };
  if (status === 404) return { kind: 'not-found', detail };
  if (status >= 500) return { kind: 'server', status, detail };
  return { kind: 'unexpected', status, detail };
}

export interface ApiClient {
  execute(body: ExecuteRequest, signal?: AbortSignal): Promise<ExecutionResult>;
  submit(body: ExecuteRequest, signal?: AbortSignal): Promise<SubmitResult>;
  submission(id: string, signal?: AbortSignal): Promise<Submission>;
  runtime(signal?: AbortSignal): Promise<RuntimeInfo>;
}

export interface ClientOptions {
  baseURL?: string;
  /** Tests pass a stub adapter; the browser uses Axios's XHR adapter. */
  adapter?: AxiosAdapter;
  timeoutMs?: number;
}

export function createAxios(options: ClientOptions = {}): AxiosInstance {
  const instance = axios.create({
    baseURL: options.baseURL ?? '',
    timeout: options.timeoutMs ?? REQUEST_TIMEOUT_MS,
    headers: { Accept: 'application/json' },
    ...(options.adapter ? { adapter: options.adapter } : {}),
  });
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
  const http = createAxios(options);
  return {
    async execute(body, signal) {
      const { data } = await http.post<ExecutionResult>('/api/v1/code/execute', body, { signal });
      return data;
    },
    async submit(body, signal) {
      const { data } = await http.post<SubmitResult>('/api/v1/code/submit', body, { signal });
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
  };
}

export const isCancelled = (error: unknown): boolean => axios.isCancel(error);
