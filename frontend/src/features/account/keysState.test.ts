import { describe, expect, it } from 'vitest';

import { apiKey } from '../../test/fixtures';
import { initialKeysState, keysReducer, type KeysAction, type KeysState } from './keysState';

const run = (actions: KeysAction[], from: KeysState = initialKeysState) => actions.reduce(keysReducer, from);
const ci = apiKey({ id: 1, name: 'CI' });
const fresh = { ...apiKey({ id: 2, name: 'laptop', prefix: 'ebx_12345678' }), secret: 'ebx_secret' };

describe('keysReducer', () => {
  it('lists the keys once loaded', () => {
    expect(run([{ type: 'loaded', keys: [ci] }])).toMatchObject({ keys: [ci], loading: false });
  });

  it('shows a new key’s secret until dismissed, and lists the key without it', () => {
    const made = run([{ type: 'loaded', keys: [ci] }, { type: 'createBegan' }, { type: 'created', key: fresh }]);
    expect(made.created).toEqual(fresh);
    expect(made.keys).toEqual([ci, apiKey({ id: 2, name: 'laptop', prefix: 'ebx_12345678' })]);
    expect(made.keys[1]).not.toHaveProperty('secret');
    expect(run([{ type: 'secretDismissed' }], made).created).toBeNull();
  });

  it('revokes once confirmed, forgetting the secret of the key revoked', () => {
    const made = run([
      { type: 'loaded', keys: [ci] },
      { type: 'created', key: fresh },
    ]);
    expect(run([{ type: 'confirmRevoke', id: 2 }, { type: 'cancelRevoke' }], made)).toMatchObject({ confirming: null, keys: made.keys });
    const revoked = run(
      [
        { type: 'confirmRevoke', id: 2 },
        { type: 'revokeBegan', id: 2 },
        { type: 'revoked', id: 2 },
      ],
      made,
    );
    expect(revoked).toMatchObject({ keys: [ci], created: null, revoking: null });
  });

  it('says why a request failed, and is no longer busy', () => {
    const state = run([{ type: 'loaded', keys: [ci] }, { type: 'createBegan' }, { type: 'failed', message: 'At most 20 keys.' }]);
    expect(state).toMatchObject({ creating: false, error: 'At most 20 keys.', keys: [ci] });
  });
});
