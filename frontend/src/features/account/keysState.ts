// "API keys" as a pure reducer: the account's keys (oldest first, as the server lists them), a new
// key's secret shown until dismissed (the server never shows it again), and a revocation that
// waits for its confirmation.
import type { ApiKey, NewApiKey } from '../../api/types';

export interface KeysState {
  keys: ApiKey[];
  loading: boolean;
  creating: boolean;
  /** The key just made, with its secret: shown once. */
  created: NewApiKey | null;
  /** The key whose Revoke awaits its confirmation. */
  confirming: number | null;
  revoking: number | null;
  /** The last request's failure, in words. */
  error: string | null;
}

export type KeysAction =
  | { type: 'loaded'; keys: ApiKey[] }
  | { type: 'failed'; message: string }
  | { type: 'createBegan' }
  | { type: 'created'; key: NewApiKey }
  | { type: 'secretDismissed' }
  | { type: 'confirmRevoke'; id: number }
  | { type: 'cancelRevoke' }
  | { type: 'revokeBegan'; id: number }
  | { type: 'revoked'; id: number };

export const initialKeysState: KeysState = {
  keys: [],
  loading: true,
  creating: false,
  created: null,
  confirming: null,
  revoking: null,
  error: null,
};

export function keysReducer(state: KeysState, action: KeysAction): KeysState {
  switch (action.type) {
    case 'loaded':
      return { ...state, keys: action.keys, loading: false };
    case 'failed':
      return { ...state, loading: false, creating: false, revoking: null, error: action.message };
    case 'createBegan':
      return { ...state, creating: true, created: null, error: null };
    case 'created': {
      const { secret: _secret, ...listed } = action.key;
      return { ...state, creating: false, created: action.key, keys: [...state.keys, listed] };
    }
    case 'secretDismissed':
      return { ...state, created: null };
    case 'confirmRevoke':
      return { ...state, confirming: action.id, error: null };
    case 'cancelRevoke':
      return { ...state, confirming: null };
    case 'revokeBegan':
      return { ...state, confirming: null, revoking: action.id, error: null };
    case 'revoked':
      return {
        ...state,
        revoking: null,
        keys: state.keys.filter((key) => key.id !== action.id),
        // The secret of a key just revoked is of no use any more.
        created: state.created?.id === action.id ? null : state.created,
      };
  }
}
