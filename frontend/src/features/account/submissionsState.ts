// "My submissions" as a pure reducer: pages of GET /code/submissions?mine=true (&q= when searched)
// appended in order (newest first), and a deletion that waits for its confirmation.
import type { SubmissionPage, SubmissionSummary } from '../../api/types';

export interface SubmissionsState {
  items: SubmissionSummary[];
  /** The text the items' code contains, as the server searched it ('' for all): "Load more" goes on with it. */
  search: string;
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
  /** A first page (of a new search, or the list again) or the next one of the same search. */
  | { type: 'loadBegan'; more: boolean; search: string }
  | { type: 'pageLoaded'; page: SubmissionPage }
  | { type: 'failed'; message: string }
  | { type: 'confirmDelete'; id: string }
  | { type: 'cancelDelete' }
  | { type: 'deleteBegan'; id: string }
  | { type: 'deleted'; id: string };

export const initialSubmissionsState: SubmissionsState = {
  items: [],
  search: '',
  nextCursor: null,
  loading: 'first',
  error: null,
  confirming: null,
  deleting: null,
};

export function submissionsReducer(state: SubmissionsState, action: SubmissionsAction): SubmissionsState {
  switch (action.type) {
    case 'loadBegan':
      // A first page clears the list: what matched another search must not pass for this one's.
      return action.more
        ? { ...state, loading: 'more', error: null }
        : { ...state, items: [], nextCursor: null, search: action.search, loading: 'first', error: null, confirming: null };
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
