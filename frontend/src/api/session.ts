// The signed-in tab's access token. Chosen: memory plus sessionStorage, not localStorage. A reload
// of the tab keeps the person signed in; closing the tab (or the browser) signs them out, and other
// tabs never share it, so a token left on a shared computer lives no longer than its tab. The
// token is readable by the page's scripts either way (the CSP allows no inline or foreign script);
// an HttpOnly cookie would need the server to take credentials from cookies, which it does not.
const KEY = 'execbox:accessToken';

export interface Session {
  /** The access token, or null when signed out. */
  token(): string | null;
  keep(token: string): void;
  /** Signed out: by the person, or because the server refused the token (401). */
  drop(): void;
  /** Calls `listener` whenever the token changes; answers the unsubscribe. */
  subscribe(listener: () => void): () => void;
}

function readStored(storage: Storage | null): string | null {
  try {
    const raw = storage?.getItem(KEY) ?? null;
    return raw !== null && raw !== '' ? raw : null;
  } catch {
    return null;
  }
}

function writeStored(storage: Storage | null, token: string | null): void {
  try {
    if (token === null) storage?.removeItem(KEY);
    else storage?.setItem(KEY, token);
  } catch {
    // Storage refused (a private mode, a full quota): the token lives in memory until the tab reloads.
  }
}

function sessionStorageOrNull(): Storage | null {
  try {
    return window.sessionStorage;
  } catch {
    return null;
  }
}

/** A session kept in `storage` (default: this tab's sessionStorage; tests pass null for memory only). */
export function createSession(storage: Storage | null = sessionStorageOrNull()): Session {
  let current = readStored(storage);
  const listeners = new Set<() => void>();
  const set = (token: string | null) => {
    if (token === current) return;
    current = token;
    writeStored(storage, token);
    listeners.forEach((listener) => listener());
  };
  return {
    token: () => current,
    keep: (token) => set(token),
    drop: () => set(null),
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
