import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { describe, expect, it, vi } from 'vitest';

import { ConfirmButton, type ConfirmButtonText } from './ConfirmButton';

const TEXT: ConfirmButtonText = {
  action: 'Delete',
  actionLabel: 'Delete notes.txt',
  busy: 'Deleting…',
  question: 'Delete this file?',
  confirm: 'Yes, delete',
  group: 'Confirm the deletion',
};

/** An owner keeping whether it asks, as the panels' reducers do. */
function Owner({ onConfirm, busy = false }: { onConfirm: () => void; busy?: boolean }) {
  const [confirming, setConfirming] = useState(false);
  return (
    <ConfirmButton
      text={TEXT}
      confirming={confirming}
      busy={busy}
      onAsk={() => setConfirming(true)}
      onCancel={() => setConfirming(false)}
      onConfirm={() => {
        setConfirming(false);
        onConfirm();
      }}
    >
      <button type="button">Open</button>
    </ConfirmButton>
  );
}

describe('ConfirmButton', () => {
  it('asks in its place, the focus on Cancel: Enter twice does not act, and Cancel gives the focus back', async () => {
    const onConfirm = vi.fn();
    render(<Owner onConfirm={onConfirm} />);
    const action = screen.getByRole('button', { name: 'Delete notes.txt' });
    expect(action).toHaveTextContent('Delete');
    expect(screen.getByRole('button', { name: 'Open' })).toBeInTheDocument();
    action.focus();
    await userEvent.keyboard('{Enter}');
    const group = screen.getByRole('group', { name: 'Confirm the deletion' });
    expect(group).toHaveTextContent('Delete this file?');
    expect(within(group).getByRole('button', { name: 'Cancel' })).toHaveFocus();
    expect(screen.queryByRole('button', { name: 'Open' })).not.toBeInTheDocument();
    await userEvent.keyboard('{Enter}');
    expect(onConfirm).not.toHaveBeenCalled();
    expect(screen.queryByRole('group')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Delete notes.txt' })).toHaveFocus();
  });

  it('acts once confirmed', async () => {
    const onConfirm = vi.fn();
    render(<Owner onConfirm={onConfirm} />);
    await userEvent.click(screen.getByRole('button', { name: 'Delete notes.txt' }));
    await userEvent.click(screen.getByRole('button', { name: 'Yes, delete' }));
    expect(onConfirm).toHaveBeenCalledTimes(1);
  });

  it('is disabled, saying so, while the action is under way', () => {
    render(<Owner onConfirm={() => {}} busy />);
    const action = screen.getByRole('button', { name: 'Delete notes.txt' });
    expect(action).toBeDisabled();
    expect(action).toHaveTextContent('Deleting…');
  });
});
