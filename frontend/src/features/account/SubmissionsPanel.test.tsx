import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import type { AccountApi } from '../../api/accounts';
import { ApiError } from '../../api/errors';
import { submissionSummary } from '../../test/fixtures';
import { SEARCH_DELAY_MS, SubmissionsPanel } from './SubmissionsPanel';

const first = submissionSummary({ id: 'a', code_preview: 'print("first")', visibility: 'private', status: 'success' });
const second = submissionSummary({ id: 'b', code_preview: 'import numpy as np', visibility: 'unlisted', status: 'runtime_error' });
const third = submissionSummary({ id: 'c', code_preview: 'x = 1', status: 'queued', wall_ms: null });

type Api = Pick<AccountApi, 'mySubmissions' | 'deleteSubmission'>;

function setup(overrides: Partial<Api> = {}, onClose: () => void = () => {}) {
  const mySubmissions =
    overrides.mySubmissions ??
    vi
      .fn<Api['mySubmissions']>()
      .mockResolvedValueOnce({ items: [first, second], next_cursor: '5' })
      .mockResolvedValueOnce({ items: [third], next_cursor: null });
  const deleteSubmission = overrides.deleteSubmission ?? vi.fn<Api['deleteSubmission']>().mockResolvedValue(undefined);
  const onOpen = vi.fn();
  const onDeleted = vi.fn();
  render(<SubmissionsPanel api={{ mySubmissions, deleteSubmission }} onOpen={onOpen} onDeleted={onDeleted} onClose={onClose} />);
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
    expect(mySubmissions).toHaveBeenLastCalledWith({ cursor: '5', search: '' }, expect.any(AbortSignal));
    expect(screen.queryByRole('button', { name: 'Load more' })).not.toBeInTheDocument();
  });

  it('searches the server once typing pauses, and pages through what it finds', async () => {
    const mySubmissions = vi.fn<Api['mySubmissions']>(({ search, cursor }) =>
      Promise.resolve(
        search === ''
          ? { items: [first, second], next_cursor: null }
          : cursor === null
            ? { items: [second], next_cursor: '9' }
            : { items: [third], next_cursor: null },
      ),
    );
    setup({ mySubmissions });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const box = screen.getByLabelText('Search your code');
    expect(box).toHaveFocus();
    expect(box).toHaveAttribute('maxlength', '100');
    expect(box).toHaveAccessibleDescription(/code contains this text \(3 characters or more\), whatever its case/);

    await userEvent.type(box, ' numpy ');
    await waitFor(() => expect(rows()).toHaveLength(1));
    // One request for the pause, with the text trimmed: none per key.
    expect(mySubmissions.mock.calls.map(([query]) => query)).toEqual([
      { cursor: null, search: '' },
      { cursor: null, search: 'numpy' },
    ]);
    expect(rows()[0]).toHaveTextContent('import numpy as np');
    await userEvent.click(screen.getByRole('button', { name: 'Load more' }));
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(mySubmissions).toHaveBeenLastCalledWith({ cursor: '9', search: 'numpy' }, expect.any(AbortSignal));
  });

  it('asks nothing for fewer than 3 characters, counted as the server counts them, and says so', async () => {
    const mySubmissions = vi.fn<Api['mySubmissions']>(({ search }) =>
      Promise.resolve({ items: search === '' ? [first, second] : [second], next_cursor: null }),
    );
    setup({ mySubmissions });
    await waitFor(() => expect(rows()).toHaveLength(2));
    const box = screen.getByLabelText('Search your code');
    // Two characters, and two code points in three UTF-16 units: no search yet.
    for (const short of ['np', ' 😀a ']) {
      await userEvent.clear(box);
      await userEvent.type(box, short);
      expect(box).toHaveAccessibleDescription('Type 3 characters or more to search; meanwhile, all your submissions are listed.');
      await new Promise((resolve) => setTimeout(resolve, SEARCH_DELAY_MS + 50));
      expect(rows()).toHaveLength(2);
    }
    expect(mySubmissions.mock.calls.every(([query]) => query.search === '')).toBe(true);

    await userEvent.clear(box);
    await userEvent.type(box, 'npx');
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(mySubmissions).toHaveBeenLastCalledWith({ cursor: null, search: 'npx' }, expect.any(AbortSignal));
    // Cut below 3 characters again: the whole list, at once.
    await userEvent.keyboard('{Backspace}');
    await waitFor(() => expect(rows()).toHaveLength(2));
    expect(mySubmissions).toHaveBeenLastCalledWith({ cursor: null, search: '' }, expect.any(AbortSignal));
  });

  it('says when nothing matches; the first Escape clears the search, the next closes', async () => {
    const mySubmissions = vi.fn<Api['mySubmissions']>(({ search }) =>
      Promise.resolve({ items: search === '' ? [first] : [], next_cursor: null }),
    );
    const onClose = vi.fn();
    setup({ mySubmissions }, onClose);
    await waitFor(() => expect(rows()).toHaveLength(1));
    await userEvent.type(screen.getByLabelText('Search your code'), '50%_off');
    expect(await screen.findByTestId('submissions-no-match')).toHaveTextContent('No submissions match “50%_off”.');
    expect(screen.queryByTestId('submissions-empty')).not.toBeInTheDocument();

    await userEvent.keyboard('{Escape}');
    expect(screen.getByLabelText('Search your code')).toHaveValue('');
    expect(onClose).not.toHaveBeenCalled();
    // The whole list at once, without waiting for a pause.
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(mySubmissions).toHaveBeenLastCalledWith({ cursor: null, search: '' }, expect.any(AbortSignal));
    await userEvent.keyboard('{Escape}');
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('drops the answer of a search overtaken by the next one', async () => {
    let answerOld: (page: { items: (typeof first)[]; next_cursor: null }) => void = () => {};
    const mySubmissions = vi.fn<Api['mySubmissions']>(({ search }) => {
      if (search === 'old') return new Promise((resolve) => (answerOld = resolve));
      return Promise.resolve({ items: search === 'new' ? [third] : [first], next_cursor: null });
    });
    setup({ mySubmissions });
    await waitFor(() => expect(rows()).toHaveLength(1));
    const box = screen.getByLabelText('Search your code');
    await userEvent.type(box, 'old');
    await waitFor(() => expect(mySubmissions).toHaveBeenLastCalledWith({ cursor: null, search: 'old' }, expect.any(AbortSignal)));
    await userEvent.clear(box);
    await userEvent.type(box, 'new');
    await waitFor(() => expect(rows()[0]).toHaveTextContent('x = 1'));
    answerOld({ items: [second], next_cursor: null });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(rows()).toHaveLength(1);
    expect(rows()[0]).toHaveTextContent('x = 1');
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
    expect(screen.getByLabelText('Search your code')).toHaveFocus();
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
