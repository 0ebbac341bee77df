// The owner token (backend services/owners.py): issued with this browser's first shared run
// (a saved submission), kept in localStorage, and sent with later ones, so that the server lists this
// browser's submissions to it and nobody else's. Signing in hands them to the account
// (POST /users/me/adopt, accounts.ts); the token is kept, owning nothing until the next anonymous save.
import { load, save } from '../lib/storage';

const KEY = 'ownerToken';
export const OWNER_TOKEN_HEADER = 'X-Owner-Token';

const isOwnerToken = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{32,64}$/.test(v);

/** The token this browser keeps, or null before its first anonymous save. */
export function keptOwnerToken(): string | null {
  return load<string | null>(KEY, null, isOwnerToken);
}

/** The header to send with a submission: the kept token, or none before the first. */
export function ownerHeaders(): Record<string, string> {
  const token = keptOwnerToken();
  return token === null ? {} : { [OWNER_TOKEN_HEADER]: token };
}

/** Keep a token the server issued (it shows a new one only once). */
export function keepOwnerToken(token: string | null | undefined): void {
  if (isOwnerToken(token)) save(KEY, token);
}
