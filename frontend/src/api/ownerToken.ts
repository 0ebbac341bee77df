// The owner token (backend services/owners.py): issued with this browser's first shared run
// (a saved submission), kept in localStorage, and sent with later ones, so that the server lists this
// browser's submissions to it and nobody else's. Accounts will adopt its submissions later.
import { load, save } from '../lib/storage';

const KEY = 'ownerToken';
export const OWNER_TOKEN_HEADER = 'X-Owner-Token';

const isOwnerToken = (v: unknown): v is string => typeof v === 'string' && /^[A-Za-z0-9_-]{32,64}$/.test(v);

/** The header to send with a submission: the kept token, or none before the first. */
export function ownerHeaders(): Record<string, string> {
  const token = load<string | null>(KEY, null, isOwnerToken);
  return token === null ? {} : { [OWNER_TOKEN_HEADER]: token };
}

/** Keep a token the server issued (it shows a new one only once). */
export function keepOwnerToken(token: string | null | undefined): void {
  if (isOwnerToken(token)) save(KEY, token);
}
