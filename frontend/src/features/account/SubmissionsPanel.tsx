import { useCallback, useEffect, useId, useReducer, useRef, useState } from 'react';

import { SUBMISSIONS_SEARCH_MAX_LENGTH, SUBMISSIONS_SEARCH_MIN_LENGTH, type AccountApi } from '../../api/accounts';
import type { SubmissionSummary } from '../../api/types';
import { ConfirmButton } from '../../lib/ConfirmButton';
import { Dialog } from '../../lib/Dialog';
import { useDebouncedValue } from '../../lib/useDebouncedValue';
import { formatDuration, STATUS_LABELS } from '../output/format';
import { accountErrorText } from './problems';
import { initialSubmissionsState, submissionsReducer } from './submissionsState';

/** How long typing pauses before the server is asked: one search per pause, not one per key. */
export const SEARCH_DELAY_MS = 300;

interface Props {
  api: Pick<AccountApi, 'mySubmissions' | 'deleteSubmission'>;
  /** Open the submission in the editor, as its permalink does. */
  onOpen: (id: string) => void;
  /** A submission was deleted (the editor may hold it). */
  onDeleted?: (id: string) => void;
  /** How many of the browser's anonymous submissions the account took at sign-in: the list reloads when it changes. */
  adopted?: number;
  onClose: () => void;
}

const VISIBILITY_LABELS = { private: 'Private', unlisted: 'Unlisted' } as const;

function statusLabel(item: SubmissionSummary): string {
  return item.status === 'queued' ? 'Queued' : item.status === 'running' ? 'Running' : STATUS_LABELS[item.status];
}

/** The account's saved submissions, newest first, a page at a time, searched by their code: open one, or delete it. */
export function SubmissionsPanel({ api, onOpen, onDeleted, onClose, adopted = 0 }: Props) {
  const [state, dispatch] = useReducer(submissionsReducer, initialSubmissionsState);
  const [typed, setTyped] = useState('');
  const text = typed.trim();
  const settled = useDebouncedValue(text, SEARCH_DELAY_MS);
  // Counted as the server counts (code points): fewer than 3 characters is no search yet.
  const tooShort = (value: string) => Array.from(value).length < SUBMISSIONS_SEARCH_MIN_LENGTH;
  // Emptied (Escape, or the field cleared) or cut below 3 characters, the whole list comes back at
  // once, without the pause.
  const search = tooShort(text) || tooShort(settled) ? '' : settled;
  const searchBox = useRef<HTMLInputElement>(null);
  // The request on its way: a new search or the list again supersedes it, "Load more" included.
  const inflight = useRef<AbortController | null>(null);
  const id = useId();
  const { mySubmissions, deleteSubmission } = api;

  const load = useCallback(
    (cursor: string | null, text: string): AbortController => {
      inflight.current?.abort();
      const controller = new AbortController();
      inflight.current = controller;
      dispatch({ type: 'loadBegan', more: cursor !== null, search: text });
      mySubmissions({ cursor, search: text }, controller.signal).then(
        (page) => {
          if (!controller.signal.aborted) dispatch({ type: 'pageLoaded', page });
        },
        (err: unknown) => {
          if (!controller.signal.aborted) dispatch({ type: 'failed', message: accountErrorText(err) });
        },
      );
      return controller;
    },
    [mySubmissions],
  );

  // Again when the account takes the browser's submissions: the adoption may answer after the panel opened.
  useEffect(() => {
    const controller = load(null, search);
    return () => controller.abort();
  }, [load, search, adopted]);

  const remove = (submissionId: string) => {
    dispatch({ type: 'deleteBegan', id: submissionId });
    deleteSubmission(submissionId).then(
      () => {
        dispatch({ type: 'deleted', id: submissionId });
        onDeleted?.(submissionId);
        // Its row is gone with the focus in it: the focus goes to the top of the list.
        searchBox.current?.focus();
      },
      (err: unknown) => dispatch({ type: 'failed', message: accountErrorText(err) }),
    );
  };

  // Answered, and nothing to show: none saved yet, or none matches the search.
  const answeredNone = state.loading === null && state.items.length === 0 && state.error === null;

  return (
    <Dialog title="My submissions" onClose={onClose}>
      <div className="flex flex-col gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-search`} className="text-sm font-medium">
            Search your code
          </label>
          <input
            id={`${id}-search`}
            ref={searchBox}
            type="search"
            value={typed}
            maxLength={SUBMISSIONS_SEARCH_MAX_LENGTH}
            onChange={(e) => setTyped(e.target.value)}
            onKeyDown={(e) => {
              // The first Escape empties the search, the next one closes the dialog.
              if (e.key === 'Escape' && typed !== '') {
                e.preventDefault();
                e.stopPropagation();
                setTyped('');
              }
            }}
            aria-describedby={`${id}-search-hint`}
            className="control h-9"
            data-autofocus
          />
          <p id={`${id}-search-hint`} className="text-xs text-slate-600 dark:text-slate-400" data-testid="submissions-search-hint">
            {text !== '' && tooShort(text)
              ? `Type ${SUBMISSIONS_SEARCH_MIN_LENGTH} characters or more to search; meanwhile, all your submissions are listed.`
              : `Finds the submissions whose code contains this text (${SUBMISSIONS_SEARCH_MIN_LENGTH} characters or more), whatever its case. Escape clears it.`}
          </p>
        </div>

        {adopted > 0 && (
          <p role="status" className="text-sm text-slate-600 dark:text-slate-400" data-testid="submissions-adopted">
            {adopted === 1 ? 'The submission' : `The ${adopted} submissions`} you saved in this browser before signing in{' '}
            {adopted === 1 ? 'is' : 'are'} now your account’s.
          </p>
        )}
        <p role="alert" className="text-sm text-red-700 empty:hidden dark:text-red-300">
          {state.error ?? ''}
        </p>
        <div role="status" className="text-sm text-slate-600 empty:hidden dark:text-slate-400">
          {state.loading === 'first' && (state.search === '' ? 'Loading your submissions…' : 'Searching…')}
          {answeredNone && state.search === '' && (
            <span data-testid="submissions-empty">You have no saved submissions yet. Run some code and press Share to save it here.</span>
          )}
          {answeredNone && state.search !== '' && <span data-testid="submissions-no-match">No submissions match “{state.search}”.</span>}
        </div>

        {state.items.length > 0 && (
          <ul aria-label="Submissions" className="flex flex-col divide-y divide-slate-200 dark:divide-slate-700" data-testid="submissions">
            {state.items.map((item) => (
              <li key={item.id} className="flex flex-col gap-1.5 py-2" data-testid="submission">
                <code className="truncate font-mono text-sm" title={item.code_preview}>
                  {item.code_preview || '(no code)'}
                </code>
                <p className="flex flex-wrap gap-x-3 text-xs text-slate-600 dark:text-slate-400">
                  <span>{statusLabel(item)}</span>
                  <span>{VISIBILITY_LABELS[item.visibility]}</span>
                  <time dateTime={item.created_at}>{new Date(item.created_at).toLocaleString()}</time>
                  {item.wall_ms !== null && <span>{formatDuration(item.wall_ms)}</span>}
                </p>
                <ConfirmButton
                  text={{
                    action: 'Delete',
                    actionLabel: `Delete ${item.code_preview}`,
                    busy: 'Deleting…',
                    question: 'Delete this submission for good?',
                    confirm: 'Yes, delete',
                    group: 'Confirm the deletion',
                  }}
                  confirming={state.confirming === item.id}
                  busy={state.deleting === item.id}
                  onAsk={() => dispatch({ type: 'confirmDelete', id: item.id })}
                  onCancel={() => dispatch({ type: 'cancelDelete' })}
                  onConfirm={() => remove(item.id)}
                >
                  <button
                    type="button"
                    className="btn btn-secondary"
                    onClick={() => onOpen(item.id)}
                    aria-label={`Open ${item.code_preview}`}
                  >
                    Open
                  </button>
                </ConfirmButton>
              </li>
            ))}
          </ul>
        )}

        {state.nextCursor !== null && (
          <button
            type="button"
            className="btn btn-secondary self-start"
            onClick={() => load(state.nextCursor, state.search)}
            disabled={state.loading !== null}
          >
            {state.loading === 'more' ? 'Loading…' : 'Load more'}
          </button>
        )}
      </div>
    </Dialog>
  );
}
