import type { AccountApi } from '../api/accounts';
import type { ApiClient } from '../api/client';
import { StreamUnavailable, type LiveRun } from '../api/stream';
import type { ApiKey, CurrentUser, ExecutionResult, RuntimeInfo, SharedRun, Submission, SubmissionSummary } from '../api/types';
import type { LiveView } from '../features/run/runState';

export function result(overrides: Partial<ExecutionResult> = {}): ExecutionResult {
  return {
    status: 'success',
    exit_code: 0,
    signal: null,
    stdout: 'hello\n',
    stderr: '',
    truncated: { stdout: false, stderr: false },
    error: null,
    wall_ms: 120,
    cpu_ms: 80,
    memory_kb: 30_720,
    results: [],
    limit_hit: null,
    waiting_for_input: false,
    ...overrides,
  };
}

export const runtimeInfo: RuntimeInfo = {
  python: '3.11.7',
  packages: { numpy: '2.4.6', pandas: '3.1.1', scipy: '1.17.1' },
  policy: {
    enabled: true,
    preset: 'standard',
    allowed_modules: ['math', 'numpy', 'pandas', 'scipy'],
    banned_builtins: ['eval', 'open'],
    max_code_length: 10_000,
    max_code_lines: 100,
  },
  default_limits: { wall_time_s: 30, cpu_time_s: 30, memory_mb: 512, output_bytes: 1_048_576, results_bytes: 2_097_152 },
  max_limits: { wall_time_s: 120, cpu_time_s: 120, memory_mb: 2048, output_bytes: 8_388_608, results_bytes: 8_388_608 },
  max_stdin_length: 262_144,
  max_input_files: 20,
  max_input_files_bytes: 10_485_760,
  rate_limit: '10/minute',
  execution_backend: 'local',
  accounts: { enabled: false, anonymous_runs: true },
};

/** A live run whose socket never opened: the runner falls back to `execute`. */
export function unavailableLiveRun(): LiveRun {
  return {
    done: Promise.reject(new StreamUnavailable('no WebSocket in this test')),
    sendStdin: () => false,
    closeStdin: () => false,
    stop: () => {},
    cancel: () => {},
  };
}

const unexpected = (name: string) => () => Promise.reject(new Error(`unexpected call to ${name}`));

/** The account endpoints of a signed-out tab; tests replace methods one by one, unset ones fail loudly. */
export function fakeAccountApi(overrides: Partial<AccountApi> = {}): AccountApi {
  return {
    signedIn: () => false,
    onSessionChange: () => () => {},
    register: unexpected('register'),
    signIn: unexpected('signIn'),
    signOut: () => {},
    me: unexpected('me'),
    // As the real one answers a browser that holds no owner token: nothing to adopt.
    adoptBrowserSubmissions: () => Promise.resolve(0),
    mySubmissions: unexpected('mySubmissions'),
    deleteSubmission: unexpected('deleteSubmission'),
    keys: unexpected('keys'),
    createKey: unexpected('createKey'),
    revokeKey: unexpected('revokeKey'),
    ...overrides,
  };
}

/**
 * An ApiClient whose methods tests replace one by one; unset ones fail loudly, except `live`,
 * whose stream is unavailable (so runs take the HTTP fallback: `execute`).
 */
export function fakeApi(overrides: Partial<ApiClient> = {}): ApiClient {
  return {
    execute: unexpected('execute'),
    live: unavailableLiveRun,
    share: unexpected('share'),
    submission: unexpected('submission'),
    runtime: () => Promise.resolve(runtimeInfo),
    account: fakeAccountApi(),
    ...overrides,
  };
}

export function sharedRun(overrides: Partial<SharedRun> = {}): SharedRun {
  return { id: 'abc123', url: '/api/v1/code/submissions/abc123', ...overrides };
}

export function submission(overrides: Partial<Submission> = {}): Submission {
  return {
    ...result(),
    id: 'abc123',
    code: 'print("saved")\n',
    stdin: 'in',
    created_at: '2025-01-01T12:00:00Z',
    finished_at: '2025-01-01T12:00:01Z',
    results: [],
    visibility: 'unlisted',
    ...overrides,
  };
}

/** A live run's view as the runner holds it: a stream run in progress, stdin open. */
export const liveView = (overrides: Partial<LiveView> = {}): LiveView => ({
  transport: 'stream',
  phase: 'running',
  queue: null,
  stdout: [],
  stderr: '',
  input: 'typed',
  stdinOpen: true,
  waiting: false,
  runningSince: null,
  stopping: false,
  cancelled: false,
  ...overrides,
});

/** The runtime of a server with accounts on. */
export const accountsRuntime: RuntimeInfo = { ...runtimeInfo, accounts: { enabled: true, anonymous_runs: true } };

/** A signed-in account as GET /users/me answers it, with a signed-in account's default limits. */
export const user = (overrides: Partial<CurrentUser> = {}): CurrentUser => ({
  id: 1,
  email: 'ada@example.org',
  is_admin: false,
  created_at: '2025-01-01T12:00:00Z',
  limits: { rate_limit: '30/minute', runs_alive: 4 },
  ...overrides,
});

export const submissionSummary = (overrides: Partial<SubmissionSummary> = {}): SubmissionSummary => ({
  id: 'abc123',
  created_at: '2025-01-01T12:00:00Z',
  status: 'success',
  code_preview: 'print("saved")',
  wall_ms: 120,
  visibility: 'private',
  ...overrides,
});

export const apiKey = (overrides: Partial<ApiKey> = {}): ApiKey => ({
  id: 1,
  name: 'CI',
  prefix: 'ebx_abcdefgh',
  created_at: '2025-01-01T12:00:00Z',
  last_used_at: null,
  ...overrides,
});
