import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { LiveInput, type LiveInputProps } from './LiveInput';

function Page(props: Partial<LiveInputProps>) {
  return (
    <>
      <textarea aria-label="Code" />
      <select aria-label="Theme">
        <option>light</option>
        <option>dark</option>
      </select>
      <LiveInput open waiting={false} onSend={() => true} onClose={() => {}} {...props} />
    </>
  );
}

describe('LiveInput', () => {
  it('says when the program waits, and takes the focus then', () => {
    const { rerender } = render(<Page />);
    const field = screen.getByTestId('live-stdin');
    expect(field).not.toHaveFocus();
    expect(screen.queryByText('Waiting for input')).toBeNull();
    rerender(<Page waiting />);
    expect(field).toHaveFocus();
    expect(screen.getByTestId('live-stdin-row')).toHaveAttribute('data-waiting', 'true');
    // The label says it, for screen readers too.
    expect(screen.getByLabelText(/^Input\s*Waiting for input: a line for the running program/)).toBe(field);
  });

  it('takes the focus from the editor after Ctrl+Enter (nothing typed since the run started)', () => {
    const { rerender } = render(<Page />);
    screen.getByLabelText('Code').focus();
    rerender(<Page waiting />);
    expect(screen.getByTestId('live-stdin')).toHaveFocus();
  });

  it('does not take the keystrokes of someone typing elsewhere; it does again once they used the field', async () => {
    const { rerender } = render(<Page />);
    const code = screen.getByLabelText('Code');
    await userEvent.type(code, 'x = 1');
    rerender(<Page waiting />);
    expect(code).toHaveFocus();
    expect(screen.getByText('Waiting for input')).toBeInTheDocument();

    await userEvent.click(screen.getByTestId('live-stdin'));
    rerender(<Page waiting={false} />);
    screen.getByLabelText('Theme').focus();
    // Choosing in a menu is not typing.
    fireEvent.input(screen.getByLabelText('Theme'));
    rerender(<Page waiting />);
    expect(screen.getByTestId('live-stdin')).toHaveFocus();
  });

  it('sends a line with Enter and closes the input with Ctrl+D', async () => {
    const onSend = vi.fn(() => true);
    const onClose = vi.fn();
    render(<Page waiting onSend={onSend} onClose={onClose} />);
    await userEvent.keyboard('Ada{Enter}');
    expect(onSend).toHaveBeenCalledWith('Ada');
    expect(screen.getByTestId('live-stdin')).toHaveValue('');
    await userEvent.keyboard('{Control>}d{/Control}');
    expect(onClose).toHaveBeenCalled();
  });

  it('is no field once the input is closed', () => {
    render(<Page open={false} waiting />);
    expect(screen.queryByTestId('live-stdin')).toBeNull();
    expect(screen.getByTestId('live-stdin-closed')).toBeInTheDocument();
  });
});
