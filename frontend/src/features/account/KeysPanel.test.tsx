import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { ApiError } from '../../api/errors';
import { apiKey } from '../../test/fixtures';
import { KeysPanel } from './KeysPanel';

const ci = apiKey({ id: 1, name: 'CI', prefix: 'ebx_aaaaaaaa', last_used_at: '2025-01-02T08:00:00Z' });
const made = { ...apiKey({ id: 2, name: 'laptop', prefix: 'ebx_bbbbbbbb' }), secret: 'ebx_secret_shown_once' };

function setup() {
  const keys = vi.fn().mockResolvedValue([ci]);
  const createKey = vi.fn().mockResolvedValue(made);
  const revokeKey = vi.fn().mockResolvedValue(undefined);
  render(<KeysPanel api={{ keys, createKey, revokeKey }} onClose={() => {}} />);
  return { keys, createKey, revokeKey };
}

const rows = () => screen.getAllByTestId('key');

describe('KeysPanel', () => {
  it('lists the keys with name, prefix, created and last used', async () => {
    setup();
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(rows()[0]).toHaveTextContent('CI');
    expect(rows()[0]).toHaveTextContent('ebx_aaaaaaaa…');
    expect(rows()[0]).toHaveTextContent('Created');
    expect(rows()[0]).toHaveTextContent('Last used');
  });

  it('says that each key is counted apart from the account, naming no limits it does not know', async () => {
    setup();
    await waitFor(() => expect(rows()).toHaveLength(1));
    const note = screen.getByTestId('keys-allowance');
    expect(note).toHaveTextContent('Each key has its own allowance, counted apart from your account and your other keys.');
    expect(note).toHaveTextContent('call GET /api/v1/users/me with it');
    expect(note.textContent).not.toMatch(/runs? (a|an|every) |at once/);
  });

  it('creates a key by name and shows its secret once, with Copy and a warning', async () => {
    const { createKey } = setup();
    const writeText = vi.fn().mockResolvedValue(undefined);
    Object.defineProperty(navigator, 'clipboard', { value: { writeText }, configurable: true });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(screen.getByLabelText('New key’s name')).toHaveFocus();
    await userEvent.type(screen.getByLabelText('New key’s name'), ' laptop {Enter}');
    expect(createKey).toHaveBeenCalledWith('laptop');
    expect(await screen.findByLabelText('Secret of the new key')).toHaveValue('ebx_secret_shown_once');
    expect(screen.getByText(/it will not be shown again/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole('button', { name: 'Copy' }));
    expect(writeText).toHaveBeenCalledWith('ebx_secret_shown_once');
    expect(await screen.findByText('Copied!')).toBeInTheDocument();
    expect(rows()).toHaveLength(2);
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(screen.queryByLabelText('Secret of the new key')).not.toBeInTheDocument();
  });

  it('revokes a key once confirmed; Cancel keeps it and gives the focus back', async () => {
    const { revokeKey } = setup();
    await waitFor(() => expect(rows()).toHaveLength(1));
    await userEvent.click(screen.getByRole('button', { name: 'Revoke CI' }));
    expect(screen.getByRole('group', { name: 'Confirm the revocation' })).toHaveTextContent('Programs using it will be refused.');
    expect(screen.getByRole('button', { name: 'Cancel' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    expect(revokeKey).not.toHaveBeenCalled();
    expect(screen.getByRole('button', { name: 'Revoke CI' })).toHaveFocus();
    await userEvent.keyboard('{Enter}');
    await userEvent.click(within(screen.getByTestId('key')).getByRole('button', { name: 'Yes, revoke' }));
    expect(revokeKey).toHaveBeenCalledWith(1);
    await waitFor(() => expect(screen.queryAllByTestId('key')).toHaveLength(0));
    expect(screen.getByText('You have no API keys.')).toBeInTheDocument();
  });

  it('shows why a key was not made', async () => {
    const { createKey } = setup();
    createKey.mockRejectedValueOnce(new ApiError({ kind: 'conflict', detail: 'At most 20 keys per account.' }));
    await waitFor(() => expect(rows()).toHaveLength(1));
    await userEvent.type(screen.getByLabelText('New key’s name'), 'x{Enter}');
    expect(await screen.findByRole('alert')).toHaveTextContent('At most 20 keys per account.');
  });
});
