import { describe, expect, it } from 'vitest';

import { submissionSummary } from '../../test/fixtures';
import {
  filterByPreview,
  initialSubmissionsState,
  submissionsReducer,
  type SubmissionsAction,
  type SubmissionsState,
} from './submissionsState';

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
      { type: 'loadBegan', more: true },
      { type: 'pageLoaded', page: { items: [c], next_cursor: null } },
    ]);
    expect(state).toMatchObject({ items: [a, b, c], nextCursor: null, loading: null });
  });

  it('replaces the list with a first page loaded again', () => {
    const state = run([
      { type: 'pageLoaded', page: { items: [a, b], next_cursor: null } },
      { type: 'loadBegan', more: false },
      { type: 'pageLoaded', page: { items: [c], next_cursor: null } },
    ]);
    expect(state.items).toEqual([c]);
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

describe('filterByPreview', () => {
  it('keeps the items whose code preview holds the text, case aside', () => {
    expect(filterByPreview([a, b, c], 'NUMPY')).toEqual([b]);
    expect(filterByPreview([a, b, c], '  ')).toEqual([a, b, c]);
    expect(filterByPreview([a, b, c], 'zzz')).toEqual([]);
  });
});
