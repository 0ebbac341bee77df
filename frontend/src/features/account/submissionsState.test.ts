import { describe, expect, it } from 'vitest';

import { submissionSummary } from '../../test/fixtures';
import { initialSubmissionsState, submissionsReducer, type SubmissionsAction, type SubmissionsState } from './submissionsState';

const a = submissionSummary({ id: 'a', code_preview: 'print("Hello")' });
const b = submissionSummary({ id: 'b', code_preview: 'import numpy as np' });
const c = submissionSummary({ id: 'c', code_preview: 'x = 1' });

const run = (actions: SubmissionsAction[], from: SubmissionsState = initialSubmissionsState) => actions.reduce(submissionsReducer, from);

describe('submissionsReducer', () => {
  it('starts loading the first page, then shows it with its cursor', () => {
    expect(initialSubmissionsState.loading).toBe('first');
    const state = run([{ type: 'pageLoaded', page: { items: [a, b], next_cursor: '7' } }]);
    expect(state).toMatchObject({ items: [a, b], nextCursor: '7', loading: null });
  });

  it('appends a next page after the loaded ones', () => {
    const state = run([
      { type: 'pageLoaded', page: { items: [a, b], next_cursor: '7' } },
      { type: 'loadBegan', more: true, search: '' },
      { type: 'pageLoaded', page: { items: [c], next_cursor: null } },
    ]);
    expect(state).toMatchObject({ items: [a, b, c], nextCursor: null, loading: null });
  });

  it('replaces the list with a first page loaded again, or searched', () => {
    const loaded = run([{ type: 'pageLoaded', page: { items: [a, b], next_cursor: '7' } }]);
    const searching = run([{ type: 'loadBegan', more: false, search: 'numpy' }], loaded);
    // Nothing of the previous list shows while the search is on its way.
    expect(searching).toMatchObject({ items: [], nextCursor: null, search: 'numpy', loading: 'first' });
    const found = run([{ type: 'pageLoaded', page: { items: [b], next_cursor: '2' } }], searching);
    expect(found).toMatchObject({ items: [b], nextCursor: '2', search: 'numpy' });
    const more = run(
      [
        { type: 'loadBegan', more: true, search: 'numpy' },
        { type: 'pageLoaded', page: { items: [c], next_cursor: null } },
      ],
      found,
    );
    expect(more).toMatchObject({ items: [b, c], search: 'numpy', nextCursor: null });
  });

  it('deletes once confirmed, and not when cancelled', () => {
    const loaded = run([{ type: 'pageLoaded', page: { items: [a, b], next_cursor: null } }]);
    expect(run([{ type: 'confirmDelete', id: 'a' }, { type: 'cancelDelete' }], loaded)).toMatchObject({ items: [a, b], confirming: null });
    const deleting = run(
      [
        { type: 'confirmDelete', id: 'a' },
        { type: 'deleteBegan', id: 'a' },
      ],
      loaded,
    );
    expect(deleting).toMatchObject({ confirming: null, deleting: 'a' });
    expect(run([{ type: 'deleted', id: 'a' }], deleting)).toMatchObject({ items: [b], deleting: null });
  });

  it('keeps the list when a request fails, saying why', () => {
    const loaded = run([
      { type: 'pageLoaded', page: { items: [a], next_cursor: '3' } },
      { type: 'deleteBegan', id: 'a' },
    ]);
    expect(run([{ type: 'failed', message: 'nope' }], loaded)).toMatchObject({ items: [a], deleting: null, loading: null, error: 'nope' });
  });
});
