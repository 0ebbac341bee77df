import { useCallback, useEffect, useId, useReducer, useRef, useState } from 'react';

import type { AccountApi } from '../../api/accounts';
import type { SubmissionSummary } from '../../api/types';
import { ConfirmButton } from '../../lib/ConfirmButton';
import { Dialog } from '../../lib/Dialog';
import { formatDuration, STATUS_LABELS } from '../output/format';
import { accountErrorText } from './problems';
import { filterByPreview, initialSubmissionsState, submissionsReducer } from './submissionsState';

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

/** The account's saved submissions, newest first, a page at a time: open one, or delete it. */
export function SubmissionsPanel({ api, onOpen, onDeleted, onClose, adopted = 0 }: Props) {
  const [state, dispatch] = useReducer(submissionsReducer, initialSubmissionsState);
  const [query, setQuery] = useState('');
  const search = useRef<HTMLInputElement>(null);
  const id = useId();
  const { mySubmissions, deleteSubmission } = api;

  const load = useCallback(
    (cursor: string | null, signal?: AbortSignal) => {
      dispatch({ type: 'loadBegan', more: cursor !== null });
      mySubmissions(cursor, signal).then(
        (page) => dispatch({ type: 'pageLoaded', page }),
        (err: unknown) => {
          if (!signal?.aborted) dispatch({ type: 'failed', message: accountErrorText(err) });
        },
      );
    },
    [mySubmissions],
  );

  // Again when the account takes the browser's submissions: the adoption may answer after the panel opened.
  useEffect(() => {
    const controller = new AbortController();
    load(null, controller.signal);
    return () => controller.abort();
  }, [load, adopted]);

  const remove = (submissionId: string) => {
    dispatch({ type: 'deleteBegan', id: submissionId });
    deleteSubmission(submissionId).then(
      () => {
        dispatch({ type: 'deleted', id: submissionId });
        onDeleted?.(submissionId);
        // Its row is gone with the focus in it: the focus goes to the top of the list.
        search.current?.focus();
      },
      (err: unknown) => dispatch({ type: 'failed', message: accountErrorText(err) }),
    );
  };

  const shown = filterByPreview(state.items, query);

  return (
    <Dialog title="My submissions" onClose={onClose}>
      <div className="flex flex-col gap-3">
        <div className="flex flex-col gap-1">
          <label htmlFor={`${id}-search`} className="text-sm font-medium">
            Filter by code
          </label>
          <input
            id={`${id}-search`}
            ref={search}
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            aria-describedby={`${id}-search-hint`}
            className="control h-9"
            data-autofocus
          />
          <p id={`${id}-search-hint`} className="text-xs text-slate-600 dark:text-slate-400">
            Looks in the first line of the code of the submissions loaded below.
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
        {state.loading === 'first' && <p className="text-sm text-slate-600 dark:text-slate-400">Loading your submissions…</p>}
        {state.loading !== 'first' && state.items.length === 0 && state.error === null && (
          <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="submissions-empty">
            You have no saved submissions yet. Run some code and press Share to save it here.
          </p>
        )}
        {state.items.length > 0 && shown.length === 0 && (
          <p className="text-sm text-slate-600 dark:text-slate-400">None of the submissions loaded matches “{query.trim()}”.</p>
        )}

        {shown.length > 0 && (
          <ul aria-label="Submissions" className="flex flex-col divide-y divide-slate-200 dark:divide-slate-700" data-testid="submissions">
            {shown.map((item) => (
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
            onClick={() => load(state.nextCursor)}
            disabled={state.loading !== null}
          >
            {state.loading === 'more' ? 'Loading…' : 'Load more'}
          </button>
        )}
      </div>
    </Dialog>
  );
}
