import { AxiosError, AxiosHeaders, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';

import { createApiClient } from './client';
import { ApiError, describeProblem, type ApiProblem } from './errors';

/** An adapter that answers like Axios's own would: resolve on 2xx, reject with an AxiosError otherwise. */
function answer(status: number, data: unknown, headers: Record<string, string> = {}): AxiosAdapter {
  return (config: InternalAxiosRequestConfig) => {
    const response = {
      data,
      status,
      statusText: String(status),
      headers: new AxiosHeaders(headers),
      config,
      request: {},
    };
    if (status >= 200 && status < 300) return Promise.resolve(response);
    const code = status >= 500 ? AxiosError.ERR_BAD_RESPONSE : AxiosError.ERR_BAD_REQUEST;
    return Promise.reject(new AxiosError(`Request failed with status code ${status}`, code, config, {}, response));
  };
}

function failWith(code: string, message: string): AxiosAdapter {
  return (config) => Promise.reject(new AxiosError(message, code, config, {}));
}

async function problemOf(adapter: AxiosAdapter): Promise<ApiProblem> {
  const client = createApiClient({ adapter });
  try {
    await client.execute({ code: 'print(1)', stdin: '', wait: false });
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    return (err as ApiError).problem;
  }
  throw new Error('the call did not fail');
}

const success = {
  status: 'success',
  exit_code: 0,
  signal: null,
  stdout: '1\n',
  stderr: '',
  truncated: { stdout: false, stderr: false },
  error: null,
  wall_ms: 12,
  cpu_ms: 10,
  memory_kb: 20480,
  results: [],
  waiting_for_input: false,
};

describe('api client', () => {
  it('returns the result of a run and posts JSON to the execute endpoint', async () => {
    let seen: InternalAxiosRequestConfig | undefined;
    const adapter: AxiosAdapter = (config) => {
      seen = config;
      return answer(200, success)(config);
    };
    const result = await createApiClient({ adapter }).execute({ code: 'print(1)', stdin: 'x', wait: false });
    expect(result.stdout).toBe('1\n');
    expect(seen?.url).toBe('/api/v1/code/execute');
    expect(seen?.method).toBe('post');
    expect(JSON.parse(String(seen?.data))).toEqual({ code: 'print(1)', stdin: 'x', wait: false });
    expect(AxiosHeaders.from(seen?.headers).getContentType()).toMatch(/application\/json/);
  });

  it('maps a policy rejection (422 with violations)', async () => {
    const violation = { line: 1, col: 1, end_line: 1, end_col: 10, rule: 'import-not-allowed', message: 'os is not allowed' };
    const problem = await problemOf(answer(422, { detail: 'The code breaks the policy.', violations: [violation] }));
    expect(problem).toEqual({ kind: 'policy', detail: 'The code breaks the policy.', violations: [violation] });
    expect(describeProblem(problem)).toMatch(/not run/);
  });

  it('maps an invalid body (422 with errors)', async () => {
    const problem = await problemOf(
      answer(422, { detail: 'memory_mb is above the maximum.', errors: [{ field: 'body.limits.memory_mb', message: 'too big' }] }),
    );
    expect(problem.kind).toBe('invalid');
    if (problem.kind !== 'invalid') return;
    expect(problem.errors).toEqual([{ field: 'body.limits.memory_mb', message: 'too big' }]);
    expect(describeProblem(problem)).toContain('memory_mb is above the maximum.');
  });

  it('maps 429 with retry_after_s from the body', async () => {
    const problem = await problemOf(answer(429, { detail: 'Rate limit exceeded.', retry_after_s: 42 }, { 'retry-after': '50' }));
    expect(problem).toEqual({ kind: 'rate-limited', detail: 'Rate limit exceeded.', retryAfterS: 42, limit: null });
    expect(describeProblem(problem)).toBe('Too many runs in a short time. You can run again in 42 seconds.');
    expect(describeProblem(problem, 1)).toBe('Too many runs in a short time. You can run again in 1 second.');
    expect(describeProblem(problem, 0)).toMatch(/run again now/);
  });

  it('names the run limit of a 429 from its detail', async () => {
    const detail = 'Too many runs from your address (limit: 10/minute). Try again in 42 s.';
    const problem = await problemOf(answer(429, { detail, retry_after_s: 42 }));
    expect(problem).toEqual({ kind: 'rate-limited', detail, retryAfterS: 42, limit: '10 runs a minute' });
    expect(describeProblem(problem)).toBe('Too many runs in a short time (limit: 10 runs a minute). You can run again in 42 seconds.');
    expect(describeProblem(problem, 0)).toBe('Too many runs in a short time (limit: 10 runs a minute). You can run again now.');
  });

  it('falls back to the Retry-After header for 429', async () => {
    const problem = await problemOf(answer(429, 'Too Many Requests', { 'Retry-After': '7' }));
    expect(problem).toMatchObject({ kind: 'rate-limited', retryAfterS: 7 });
  });

  it('maps 413 even when the body is not JSON (a proxy answered)', async () => {
    const problem = await problemOf(answer(413, '<html>Request Entity Too Large</html>'));
    expect(problem.kind).toBe('too-large');
    expect(describeProblem(problem)).toMatch(/too large/);
  });

  it('maps 503 with its Retry-After', async () => {
    const problem = await problemOf(answer(503, { detail: 'The sandbox is not ready.' }, { 'Retry-After': '5' }));
    expect(problem).toEqual({ kind: 'unavailable', detail: 'The sandbox is not ready.', retryAfterS: 5 });
    expect(describeProblem(problem)).toBe('The server cannot run code right now (The sandbox is not ready). Try again in 5 seconds.');
  });

  it('maps other 5xx to a server error', async () => {
    const problem = await problemOf(answer(500, 'Internal Server Error'));
    expect(problem).toMatchObject({ kind: 'server', status: 500 });
    expect(describeProblem(problem)).toMatch(/HTTP 500/);
  });

  it('maps a network failure', async () => {
    const problem = await problemOf(failWith(AxiosError.ERR_NETWORK, 'Network Error'));
    expect(problem.kind).toBe('network');
    expect(describeProblem(problem)).toMatch(/Could not reach/);
  });

  it('maps a client timeout', async () => {
    const problem = await problemOf(failWith(AxiosError.ECONNABORTED, 'timeout of 120000ms exceeded'));
    expect(problem.kind).toBe('timeout');
  });

  it('maps 404 of a submission', async () => {
    const client = createApiClient({ adapter: answer(404, { detail: 'No submission abc.' }) });
    await expect(client.submission('abc')).rejects.toMatchObject({ problem: { kind: 'not-found' } });
  });

  it('escapes the submission id in the URL', async () => {
    let url: string | undefined;
    const adapter: AxiosAdapter = (config) => {
      url = config.url;
      return answer(404, { detail: 'x' })(config);
    };
    await createApiClient({ adapter })
      .submission('a/../b')
      .catch(() => undefined);
    expect(url).toBe('/api/v1/code/submissions/a%2F..%2Fb');
  });

  it('shares a run: posts it as it is to /shares and answers its id', async () => {
    let request: { url?: string; method?: string; body?: unknown } = {};
    const adapter: AxiosAdapter = (config) => {
      request = { url: config.url, method: config.method, body: JSON.parse(String(config.data)) };
      return answer(201, { id: 'abc', url: '/api/v1/code/submissions/abc' })(config);
    };
    const run = { ...success, status: 'runtime_error', receipt: '1.sig' } as const;
    const body = { code: '1/0', stdin: 'typed\n', result: run, receipt: '1.sig', visibility: 'unlisted' } as const;
    const shared = await createApiClient({ adapter }).share(body);
    expect(shared).toEqual({ id: 'abc', url: '/api/v1/code/submissions/abc' });
    expect(request).toEqual({ url: '/api/v1/code/shares', method: 'post', body });
  });

  it('maps a receipt the server refuses to an invalid body with its field', async () => {
    const detail = 'The receipt does not match this run.';
    const client = createApiClient({ adapter: answer(422, { detail, errors: [{ field: 'body.receipt', message: detail }] }) });
    await expect(
      client.share({ code: '', stdin: '', result: { ...success, status: 'success' }, receipt: 'x', visibility: 'unlisted' }),
    ).rejects.toMatchObject({
      problem: { kind: 'invalid', errors: [{ field: 'body.receipt', message: detail }] },
    });
  });

  it('keeps the owner token of the first shared run and sends it with the next ones', async () => {
    const token = 'T'.repeat(43);
    const sent: (string | undefined)[] = [];
    const adapter: AxiosAdapter = (config) => {
      sent.push(AxiosHeaders.from(config.headers).get('X-Owner-Token') as string | undefined);
      const issued = sent.length === 1 ? token : null;
      return answer(201, { id: `s${sent.length}`, url: '/x', owner_token: issued })(config);
    };
    const share = (code: string) => ({
      code,
      stdin: '',
      result: { ...success, status: 'success' as const },
      receipt: 'r',
      visibility: 'unlisted' as const,
    });
    const client = createApiClient({ adapter });
    await client.share(share('print(1)'));
    await client.share(share('print(2)'));
    // A reload: a new client finds the token where the first one kept it.
    await createApiClient({ adapter }).share(share('print(3)'));
    expect(sent).toEqual([undefined, token, token]);
  });
});
