// "My submissions" as a pure reducer: pages of GET /code/submissions?mine=true appended in order
// (newest first), and a deletion that waits for its confirmation.
import type { SubmissionPage, SubmissionSummary } from '../../api/types';

export interface SubmissionsState {
  items: SubmissionSummary[];
  /** The cursor of the next (older) page; null on the last. */
  nextCursor: string | null;
  /** A page is on its way: the first, or the next one ("Load more"). */
  loading: 'first' | 'more' | null;
  /** The last request's failure, in words. */
  error: string | null;
  /** The submission whose Delete awaits its confirmation. */
  confirming: string | null;
  /** The submission being deleted. */
  deleting: string | null;
}

export type SubmissionsAction =
  | { type: 'loadBegan'; more: boolean }
  | { type: 'pageLoaded'; page: SubmissionPage }
  | { type: 'failed'; message: string }
  | { type: 'confirmDelete'; id: string }
  | { type: 'cancelDelete' }
  | { type: 'deleteBegan'; id: string }
  | { type: 'deleted'; id: string };

export const initialSubmissionsState: SubmissionsState = {
  items: [],
  nextCursor: null,
  loading: 'first',
  error: null,
  confirming: null,
  deleting: null,
};

export function submissionsReducer(state: SubmissionsState, action: SubmissionsAction): SubmissionsState {
  switch (action.type) {
    case 'loadBegan':
      return { ...state, loading: action.more ? 'more' : 'first', error: null };
    case 'pageLoaded': {
      // The first page replaces the list; a next one goes after it (a submission saved meanwhile
      // does not shift the cursor, so no item comes twice).
      const before = state.loading === 'more' ? state.items : [];
      return { ...state, items: [...before, ...action.page.items], nextCursor: action.page.next_cursor, loading: null };
    }
    case 'failed':
      return { ...state, loading: null, deleting: null, error: action.message };
    case 'confirmDelete':
      return { ...state, confirming: action.id, error: null };
    case 'cancelDelete':
      return { ...state, confirming: null };
    case 'deleteBegan':
      return { ...state, confirming: null, deleting: action.id, error: null };
    case 'deleted':
      return { ...state, deleting: null, items: state.items.filter((item) => item.id !== action.id) };
  }
}

/** The items whose code preview holds `query` (case aside): the API has no search, so only loaded ones. */
export function filterByPreview(items: readonly SubmissionSummary[], query: string): readonly SubmissionSummary[] {
  const needle = query.trim().toLowerCase();
  return needle === '' ? items : items.filter((item) => item.code_preview.toLowerCase().includes(needle));
}
