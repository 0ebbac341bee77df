import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { EXAMPLES } from './examples';
import { ExamplesMenu } from './ExamplesMenu';

function setup() {
  const onPick = vi.fn();
  const onWindowKey = vi.fn((e: KeyboardEvent) => e.defaultPrevented);
  window.addEventListener('keydown', onWindowKey);
  render(
    <>
      <ExamplesMenu onPick={onPick} />
      <button type="button">After</button>
    </>,
  );
  const button = screen.getByRole('button', { name: 'Examples' });
  return { onPick, onWindowKey, button, cleanup: () => window.removeEventListener('keydown', onWindowKey) };
}

describe('ExamplesMenu', () => {
  it('is a closed menu button until pressed, then lists every example by its whole title', async () => {
    const { button, cleanup } = setup();
    expect(button).toHaveAttribute('aria-haspopup', 'menu');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    await userEvent.click(button);
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(screen.getByRole('menu', { name: 'Examples' })).toBeInTheDocument();
    expect(screen.getAllByRole('menuitem').map((item) => item.textContent)).toEqual(EXAMPLES.map((x) => x.title));
    expect(screen.getAllByRole('menuitem')[0]).toHaveFocus();
    cleanup();
  });

  it('moves with the arrows, Home, End and first letters, and picks with Enter', async () => {
    const { button, onPick, cleanup } = setup();
    button.focus();
    await userEvent.keyboard('{ArrowUp}');
    const items = screen.getAllByRole('menuitem');
    expect(items.at(-1)).toHaveFocus();
    await userEvent.keyboard('{ArrowDown}');
    expect(items[0]).toHaveFocus();
    await userEvent.keyboard('{End}{Home}{ArrowDown}');
    expect(items[1]).toHaveFocus();
    await userEvent.keyboard('r');
    expect(document.activeElement?.textContent).toBe('Reading standard input');
    await userEvent.keyboard('r');
    expect(document.activeElement?.textContent).toBe('Rejected by the policy (import os)');
    await userEvent.keyboard('{Enter}');
    expect(onPick).toHaveBeenCalledWith(EXAMPLES.find((x) => x.id === 'policy'));
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveFocus();
    cleanup();
  });

  it('closes when Tab or a click goes elsewhere', async () => {
    const { button, cleanup } = setup();
    await userEvent.click(button);
    await userEvent.tab();
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'After' })).toHaveFocus();

    await userEvent.click(button);
    expect(screen.getByRole('menu')).toBeInTheDocument();
    fireEvent.pointerDown(document.body);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    cleanup();
  });
});
