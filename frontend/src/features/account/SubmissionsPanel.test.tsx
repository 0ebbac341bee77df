import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { AccountApi } from '../../api/accounts';
import { ApiError } from '../../api/errors';
import { submissionSummary } from '../../test/fixtures';
import { SubmissionsPanel } from './SubmissionsPanel';

const first = submissionSummary({ id: 'a', code_preview: 'print("first")', visibility: 'private', status: 'success' });
const second = submissionSummary({ id: 'b', code_preview: 'import numpy as np', visibility: 'unlisted', status: 'runtime_error' });
const third = submissionSummary({ id: 'c', code_preview: 'x = 1', status: 'queued', wall_ms: null });

type Api = Pick<AccountApi, 'mySubmissions' | 'deleteSubmission'>;

function setup(overrides: Partial<Api> = {}) {
  const mySubmissions =
    overrides.mySubmissions ??
    vi
      .fn<Api['mySubmissions']>()
      .mockResolvedValueOnce({ items: [first, second], next_cursor: '5' })
      .mockResolvedValueOnce({ items: [third], next_cursor: null });
  const deleteSubmission = overrides.deleteSubmission ?? vi.fn<Api['deleteSubmission']>().mockResolvedValue(undefined);
  const onOpen = vi.fn();
  const onDeleted = vi.fn();
  render(<SubmissionsPanel api={{ mySubmissions, deleteSubmission }} onOpen={onOpen} onDeleted={onDeleted} onClose={() => {}} />);
  return { mySubmissions, deleteSubmission, onOpen, onDeleted };
}

const rows = () => screen.getAllByTestId('submission');
/** The `index`th row, as an element (there must be one). */
const row = (index: number): HTMLElement => {
  const found = rows()[index];
  if (!found) throw new Error(`no row ${index}`);
  return found;
};

describe('SubmissionsPanel', () => {
  it('lists the account’s submissions with status, preview, visibility and time, and loads more', async () => {
    const { mySubmissions } = setup();
    expect(screen.getByRole('dialog', { name: 'My submissions' })).toBeInTheDocument();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(rows()[0]).toHaveTextContent('print("first")');
    expect(rows()[0]).toHaveTextContent('Success');
    expect(rows()[0]).toHaveTextContent('Private');
    expect(rows()[1]).toHaveTextContent('Error');
    expect(rows()[1]).toHaveTextContent('Unlisted');
    expect(within(row(0)).getByText((_, el) => el?.tagName === 'TIME')).toHaveAttribute('datetime', first.created_at);
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(rows()[2]).toHaveTextContent('Queued');
    expect(mySubmissions).toHaveBeenLastCalledWith('5', undefined);
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('filters the loaded ones by their code', async () => {
    setup();
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(screen.getByLabelText('Filter by code')).toHaveFocus();
    await userEvent.type(screen.getByLabelText('Filter by code'), 'numpy');
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent('import numpy as np');
    await userEvent.type(screen.getByLabelText('Filter by code'), 'zzz');
    expect(screen.getByText(/None of the submissions loaded matches/)).toBeInTheDocument();
  });

  it('opens one', async () => {
    const { onOpen } = setup();
    await waitFor(() => expect(rows()).toHaveLength(2));
    await userEvent.click(within(row(1)).getByRole('button', { name: /^Open/ }));
    expect(onOpen).toHaveBeenCalledWith('b');
  });

  it('deletes one once confirmed; Cancel keeps it and gives the focus back', async () => {
    const { deleteSubmission, onDeleted } = setup();
    await waitFor(() => expect(rows()).toHaveLength(2));
    const remove = within(row(0)).getByRole('button', { name: /^Delete/ });
    await userEvent.click(remove);
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(deleteSubmission).not.toHaveBeenCalled();
    expect(within(row(0)).getByRole('button', { name: /^Delete/ })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(deleteSubmission).toHaveBeenCalledWith('a');
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(onDeleted).toHaveBeenCalledWith('a');
    expect(screen.getByLabelText('Filter by code')).toHaveFocus();
  });

  it('says so when there are none, and when a request fails', async () => {
    setup({ mySubmissions: vi.fn().mockResolvedValue({ items: [], next_cursor: null }) });
    expect(await screen.findByTestId('submissions-empty')).toHaveTextContent('You have no saved submissions yet');
  });

  it('shows why a deletion was refused', async () => {
    const detail = 'The submission has no verdict yet.';
    const { onDeleted } = setup({ deleteSubmission: vi.fn().mockRejectedValue(new ApiError({ kind: 'conflict', detail })) });
    await waitFor(() => expect(rows()).toHaveLength(2));
    await userEvent.click(within(row(0)).getByRole('button', { name: /^Delete/ }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(detail);
    expect(rows()).toHaveLength(2);
    expect(onDeleted).not.toHaveBeenCalled();
  });
});
