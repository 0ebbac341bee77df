import { AxiosError, AxiosHeaders, type AxiosAdapter, type InternalAxiosRequestConfig } from 'axios';
import { describe, expect, it } from 'vitest';

import { apiKey, result, submissionSummary, user } from '../test/fixtures';
import { createApiClient } from './client';
import { createSession } from './session';

interface Seen {
  method?: string;
  url?: string;
  params?: unknown;
  body?: string;
  contentType?: string;
  authorization?: string;
  ownerToken?: string;
}

/** An adapter that answers each request by `route(method url)` (and its headers, if any) and records what was sent. */
function server(route: (key: string, config: InternalAxiosRequestConfig) => [number, unknown, Record<string, string>?]) {
  const seen: Seen[] = [];
  const adapter: AxiosAdapter = (config) => {
    const headers = AxiosHeaders.from(config.headers);
    seen.push({
      method: config.method,
      url: config.url,
      params: config.params,
      body: typeof config.data === 'string' ? config.data : undefined,
      contentType: String(headers.getContentType() ?? ''),
      authorization: headers.get('Authorization') as string | undefined,
      ownerToken: headers.get('X-Owner-Token') as string | undefined,
    });
    const [status, data, answerHeaders = {}] = route(`${config.method ?? ''} ${config.url ?? ''}`, config);
    const response = { data, status, statusText: String(status), headers: new AxiosHeaders(answerHeaders), config, request: {} };
    if (status < 300) return Promise.resolve(response);
    return Promise.reject(new AxiosError(`status ${status}`, AxiosError.ERR_BAD_REQUEST, config, {}, response));
  };
  return { adapter, seen };
}

const token = { access_token: 'jwt', token_type: 'bearer', expires_in: 86400 };

describe('account api', () => {
  it('signs in with a form, keeps the token and sends it as a Bearer from then on', async () => {
    const { adapter, seen } = server((key) => {
      if (key === 'post /api/v1/auth/token') return [200, token];
      if (key === 'get /api/v1/users/me') return [200, user()];
      return [200, result()];
    });
    const session = createSession(null);
    const client = createApiClient({ adapter, session });
    await expect(client.account.signIn('ada@example.org', 'pa ss&word')).resolves.toEqual(user());
    expect(seen[0]).toMatchObject({ url: '/api/v1/auth/token', authorization: undefined });
    expect(seen[0]?.contentType).toMatch(/application\/x-www-form-urlencoded/);
    expect(new URLSearchParams(seen[0]?.body)).toEqual(new URLSearchParams({ username: 'ada@example.org', password: 'pa ss&word' }));
    expect(seen[1]).toMatchObject({ url: '/api/v1/users/me', authorization: 'Bearer jwt' });
    expect(client.account.signedIn()).toBe(true);
    await client.execute({ code: 'print(1)', stdin: '', wait: false });
    expect(seen[2]).toMatchObject({ url: '/api/v1/code/execute', authorization: 'Bearer jwt' });
  });

  it('registers with JSON and no token', async () => {
    const { adapter, seen } = server(() => [201, user()]);
    const client = createApiClient({ adapter, session: createSession(null) });
    await client.account.register('ada@example.org', 'password1');
    expect(seen[0]).toMatchObject({ method: 'post', url: '/api/v1/auth/register', authorization: undefined });
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ email: 'ada@example.org', password: 'password1' });
  });

  it('maps a wrong password (401) and a taken address (409) to problems with the server’s words', async () => {
    const wrong = 'The e-mail address or the password is wrong.';
    const client = createApiClient({
      adapter: server((key) => (key.includes('token') ? [401, { detail: wrong }] : [409, { detail: 'taken' }])).adapter,
      session: createSession(null),
    });
    await expect(client.account.signIn('a@b.c', 'x')).rejects.toMatchObject({ problem: { kind: 'unauthorized', detail: wrong } });
    await expect(client.account.register('a@b.c', 'password1')).rejects.toMatchObject({ problem: { kind: 'conflict', detail: 'taken' } });
    expect(client.account.signedIn()).toBe(false);
  });

  it('maps too many sign-in or registration attempts (429) to the wait of their Retry-After header', async () => {
    const detail = 'Too many sign-in attempts from your address (limit: 5/minute). Try again in 42 s.';
    const client = createApiClient({
      adapter: server(() => [429, { detail }, { 'Retry-After': '42' }]).adapter,
      session: createSession(null),
    });
    const refused = { problem: { kind: 'rate-limited', detail, retryAfterS: 42 } };
    await expect(client.account.signIn('a@b.c', 'x')).rejects.toMatchObject(refused);
    await expect(client.account.register('a@b.c', 'password1')).rejects.toMatchObject(refused);
  });

  it('signs the tab out when the server refuses its token (401), and only then', async () => {
    const session = createSession(null);
    session.keep('old');
    let status = 500;
    const client = createApiClient({ adapter: server(() => [status, { detail: 'x' }]).adapter, session });
    await expect(client.account.me()).rejects.toMatchObject({ problem: { kind: 'server' } });
    expect(session.token()).toBe('old');
    status = 401;
    await expect(client.account.me()).rejects.toMatchObject({ problem: { kind: 'unauthorized' } });
    expect(session.token()).toBeNull();
  });

  it('does not send the owner token with a signed-in share: the account owns it', async () => {
    localStorage.setItem('execbox:ownerToken', JSON.stringify('T'.repeat(43)));
    const { adapter, seen } = server(() => [201, { id: 's1', url: '/x' }]);
    const session = createSession(null);
    const client = createApiClient({ adapter, session });
    const share = { code: '', stdin: '', result: result(), receipt: 'r', visibility: 'private' } as const;
    await client.share(share);
    session.keep('jwt');
    await client.share(share);
    expect(seen.map((s) => [s.ownerToken, s.authorization])).toEqual([
      ['T'.repeat(43), undefined],
      [undefined, 'Bearer jwt'],
    ]);
  });

  it('hands the browser’s owner token to the signed-in account, once it holds one', async () => {
    const { adapter, seen } = server(() => [200, { adopted: 3 }]);
    const session = createSession(null);
    session.keep('jwt');
    const client = createApiClient({ adapter, session });
    await expect(client.account.adoptBrowserSubmissions()).resolves.toBe(0);
    expect(seen).toEqual([]); // no token kept: nothing to ask
    localStorage.setItem('execbox:ownerToken', JSON.stringify('T'.repeat(43)));
    await expect(client.account.adoptBrowserSubmissions()).resolves.toBe(3);
    expect(seen).toEqual([
      expect.objectContaining({ method: 'post', url: '/api/v1/users/me/adopt', ownerToken: 'T'.repeat(43), authorization: 'Bearer jwt' }),
    ]);
  });

  it('lists the account’s submissions a page at a time, searched by the server when asked', async () => {
    const page = { items: [submissionSummary()], next_cursor: '41' };
    const { adapter, seen } = server(() => [200, page]);
    const client = createApiClient({ adapter, session: createSession(null) });
    await expect(client.account.mySubmissions({ cursor: null, search: '' })).resolves.toEqual(page);
    await client.account.mySubmissions({ cursor: '41', search: '' });
    await client.account.mySubmissions({ cursor: '41', search: '50%_off' });
    expect(seen.map((s) => s.params)).toEqual([
      { mine: true, limit: 20 },
      { mine: true, limit: 20, cursor: '41' },
      { mine: true, limit: 20, cursor: '41', q: '50%_off' },
    ]);
  });

  it('deletes a submission and revokes a key by id, escaped', async () => {
    const { adapter, seen } = server(() => [204, '']);
    const client = createApiClient({ adapter, session: createSession(null) });
    await client.account.deleteSubmission('a/b');
    await client.account.revokeKey(7);
    expect(seen.map((s) => `${s.method ?? ''} ${s.url ?? ''}`)).toEqual(['delete /api/v1/code/submissions/a%2Fb', 'delete /api/v1/keys/7']);
  });

  it('lists and creates keys', async () => {
    const made = { ...apiKey({ id: 2, name: 'CI' }), secret: 'ebx_s' };
    const { adapter, seen } = server((key) => (key.startsWith('get') ? [200, [apiKey()]] : [201, made]));
    const client = createApiClient({ adapter, session: createSession(null) });
    await expect(client.account.keys()).resolves.toEqual([apiKey()]);
    await expect(client.account.createKey('CI')).resolves.toEqual(made);
    expect(JSON.parse(seen[1]?.body ?? '')).toEqual({ name: 'CI' });
  });
});
