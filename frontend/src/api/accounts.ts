// Accounts (docs/api.md "Accounts"): register, sign in, the account's submissions and API keys.
// Served only when the runtime says `accounts.enabled`; the UI asks nothing of them otherwise.
import type { AxiosInstance } from 'axios';

import { keptOwnerToken, OWNER_TOKEN_HEADER } from './ownerToken';
import type { Session } from './session';
import type { AccessToken, AdoptedSubmissions, ApiKey, CurrentUser, NewApiKey, SubmissionPage, User } from './types';

/** How many submissions a page of "My submissions" holds (the server allows 1 to 100). */
export const SUBMISSIONS_PAGE_SIZE = 20;
/** The shortest text "My submissions" searches the code for: the server refuses fewer than 3 characters. */
export const SUBMISSIONS_SEARCH_MIN_LENGTH = 3;
/** The longest text "My submissions" searches the code for (the server allows 3 to 100 characters). */
export const SUBMISSIONS_SEARCH_MAX_LENGTH = 100;

/** A page of the account's submissions: where it starts, and the text their code must contain. */
export interface SubmissionsQuery {
  /** The previous page's `next_cursor`; null for the first page. */
  cursor: string | null;
  /** Only those whose code contains it, case aside; '' for all of them. */
  search: string;
}

export interface AccountApi {
  /** Whether this tab holds an access token (`me` says whether the server still takes it). */
  signedIn(): boolean;
  /** Calls `listener` whenever the tab signs in or out (a 401 to the token signs it out too). */
  onSessionChange(listener: () => void): () => void;
  register(email: string, password: string, signal?: AbortSignal): Promise<User>;
  /** Signs this tab in: keeps the access token, and answers the account it names (as `me`). */
  signIn(email: string, password: string, signal?: AbortSignal): Promise<CurrentUser>;
  signOut(): void;
  /** The signed-in account, with what this tab's sign-in may run (not its API keys: each has its own). */
  me(signal?: AbortSignal): Promise<CurrentUser>;
  /**
   * Moves what this browser saved anonymously (its owner token's submissions) to the signed-in
   * account; answers how many. 0, without asking the server, when the browser holds no token.
   */
  adoptBrowserSubmissions(signal?: AbortSignal): Promise<number>;
  /** The account's submissions, newest first, a page at a time, searched on the server. */
  mySubmissions(query: SubmissionsQuery, signal?: AbortSignal): Promise<SubmissionPage>;
  deleteSubmission(id: string): Promise<void>;
  keys(signal?: AbortSignal): Promise<ApiKey[]>;
  createKey(name: string): Promise<NewApiKey>;
  revokeKey(id: number): Promise<void>;
}

/** The account endpoints over `http`, whose requests carry `session`'s token (client.ts adds it). */
export function createAccountApi(http: AxiosInstance, session: Session): AccountApi {
  const me = async (signal?: AbortSignal) => (await http.get<CurrentUser>('/api/v1/users/me', { signal })).data;
  return {
    signedIn: () => session.token() !== null,
    onSessionChange: (listener) => session.subscribe(listener),
    async register(email, password, signal) {
      const { data } = await http.post<User>('/api/v1/auth/register', { email, password }, { signal });
      return data;
    },
    async signIn(email, password, signal) {
      // OAuth2's password flow: a form, the address as `username`.
      const form = new URLSearchParams({ username: email, password });
      const { data } = await http.post<AccessToken>('/api/v1/auth/token', form, { signal });
      session.keep(data.access_token);
      try {
        return await me(signal);
      } catch (err) {
        session.drop();
        throw err;
      }
    },
    signOut: () => session.drop(),
    me,
    async adoptBrowserSubmissions(signal) {
      const token = keptOwnerToken();
      if (token === null) return 0;
      const headers = { [OWNER_TOKEN_HEADER]: token };
      const { data } = await http.post<AdoptedSubmissions>('/api/v1/users/me/adopt', null, { headers, signal });
      return data.adopted;
    },
    async mySubmissions({ cursor, search }, signal) {
      const params = {
        mine: true,
        limit: SUBMISSIONS_PAGE_SIZE,
        ...(cursor === null ? {} : { cursor }),
        ...(search === '' ? {} : { q: search }),
      };
      const { data } = await http.get<SubmissionPage>('/api/v1/code/submissions', { params, signal });
      return data;
    },
    async deleteSubmission(id) {
      await http.delete(`/api/v1/code/submissions/${encodeURIComponent(id)}`);
    },
    async keys(signal) {
      const { data } = await http.get<ApiKey[]>('/api/v1/keys', { signal });
      return data;
    },
    async createKey(name) {
      const { data } = await http.post<NewApiKey>('/api/v1/keys', { name });
      return data;
    },
    async revokeKey(id) {
      await http.delete(`/api/v1/keys/${id}`);
    },
  };
}
