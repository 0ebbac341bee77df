import { fireEvent, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';

import { useMenu } from './useMenu';

const FRUITS = ['Apple', 'Banana', 'Cherry', 'Blueberry'];

function Fruits({ onPick, place }: { onPick: (fruit: string) => void; place?: (menu: HTMLElement) => void }) {
  // A new function at every render, as an owner may pass: the menu must stay as it is.
  const menu = useMenu({ place: place && ((el) => place(el)) });
  const [, setRenders] = useState(0);
  return (
    <>
      <div {...menu.rootProps}>
        <button {...menu.buttonProps} type="button">
          Fruit
        </button>
        {menu.open && (
          <ul {...menu.menuProps}>
            {FRUITS.map((fruit) => (
              <li key={fruit} role="none">
                <button {...menu.itemProps(() => onPick(fruit))} type="button">
                  {fruit}
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
      <button type="button" onClick={() => setRenders((n) => n + 1)}>
        Elsewhere
      </button>
    </>
  );
}

const onWindowKey = vi.fn((e: KeyboardEvent) => e.defaultPrevented);

function setup(place?: (menu: HTMLElement) => void) {
  const onPick = vi.fn();
  window.addEventListener('keydown', onWindowKey);
  render(<Fruits onPick={onPick} place={place} />);
  return { onPick, button: screen.getByRole('button', { name: 'Fruit' }) };
}

const item = (name: string) => screen.getByRole('menuitem', { name });

afterEach(() => {
  window.removeEventListener('keydown', onWindowKey);
  onWindowKey.mockClear();
});

describe('useMenu', () => {
  it('is a closed menu button until pressed, then a menu named by its button, its first item focused', async () => {
    const { button } = setup();
    expect(button).toHaveAttribute('aria-haspopup', 'menu');
    expect(button).toHaveAttribute('aria-expanded', 'false');
    expect(button).not.toHaveAttribute('aria-controls');
    await userEvent.click(button);
    const menu = screen.getByRole('menu', { name: 'Fruit' });
    expect(button).toHaveAttribute('aria-expanded', 'true');
    expect(button).toHaveAttribute('aria-controls', menu.id);
    expect(item('Apple')).toHaveFocus();
    await userEvent.click(button);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });

  it('opens on Down at the first item and on Up at the last one', async () => {
    const { button } = setup();
    button.focus();
    await userEvent.keyboard('{ArrowUp}');
    expect(item('Blueberry')).toHaveFocus();
    await userEvent.keyboard('{Escape}');
    await userEvent.keyboard('{ArrowDown}');
    expect(item('Apple')).toHaveFocus();
  });

  it('moves with the arrows (round), Home and End, and first letters, keeping those keys from the page', async () => {
    const { button } = setup();
    button.focus();
    await userEvent.keyboard('{ArrowDown}{ArrowUp}');
    expect(item('Blueberry')).toHaveFocus();
    await userEvent.keyboard('{ArrowDown}');
    expect(item('Apple')).toHaveFocus();
    await userEvent.keyboard('{End}');
    expect(item('Blueberry')).toHaveFocus();
    await userEvent.keyboard('{Home}');
    expect(item('Apple')).toHaveFocus();
    expect(onWindowKey).toHaveLastReturnedWith(true);
    await userEvent.keyboard('b');
    expect(item('Banana')).toHaveFocus();
    await userEvent.keyboard('B');
    expect(item('Blueberry')).toHaveFocus();
    await userEvent.keyboard('b');
    expect(item('Banana')).toHaveFocus();
    await userEvent.keyboard('{Control>}c{/Control}');
    expect(item('Banana')).toHaveFocus();
    expect(onWindowKey).toHaveLastReturnedWith(false);
  });

  it('picks with Enter or a click: closed first, the focus back on its button', async () => {
    const { button, onPick } = setup();
    const focusWhenPicked = vi.fn(() => document.activeElement);
    onPick.mockImplementation(focusWhenPicked);
    button.focus();
    await userEvent.keyboard('{ArrowDown}{ArrowDown}{Enter}');
    expect(onPick).toHaveBeenLastCalledWith('Banana');
    expect(focusWhenPicked).toHaveLastReturnedWith(button);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    await userEvent.click(button);
    await userEvent.click(item('Cherry'));
    expect(onPick).toHaveBeenLastCalledWith('Cherry');
    expect(button).toHaveFocus();
  });

  it('closes with Escape, back on its button, and keeps that Escape from the page', async () => {
    const { button, onPick } = setup();
    await userEvent.click(button);
    await userEvent.keyboard('{Escape}');
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(button).toHaveFocus();
    expect(onWindowKey).toHaveLastReturnedWith(true);
    expect(onPick).not.toHaveBeenCalled();
  });

  it('closes when Tab or a press goes elsewhere, not on a press inside it', async () => {
    const { button } = setup();
    await userEvent.click(button);
    await userEvent.tab();
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Elsewhere' })).toHaveFocus();

    await userEvent.click(button);
    fireEvent.pointerDown(screen.getByRole('menu'));
    expect(screen.getByRole('menu')).toBeInTheDocument();
    fireEvent.pointerDown(document.body);
    expect(screen.queryByRole('menu')).not.toBeInTheDocument();
  });

  it('focuses the item under the mouse, not under a finger', async () => {
    const { button } = setup();
    await userEvent.click(button);
    fireEvent.pointerMove(item('Cherry'), { pointerType: 'touch' });
    expect(item('Apple')).toHaveFocus();
    fireEvent.pointerMove(item('Cherry'), { pointerType: 'mouse' });
    expect(item('Cherry')).toHaveFocus();
  });

  it('places the menu once it opens, before an item takes the focus', async () => {
    const place = vi.fn((menu: HTMLElement) => expect(menu).not.toContainElement(document.activeElement as HTMLElement));
    const { button } = setup(place);
    await userEvent.click(button);
    expect(place).toHaveBeenCalledTimes(1);
    expect(place).toHaveBeenCalledWith(screen.getByRole('menu'));
    // Another render of the owner neither places it again nor moves the focus.
    await userEvent.keyboard('{End}');
    fireEvent.click(screen.getByRole('button', { name: 'Elsewhere' }));
    expect(place).toHaveBeenCalledTimes(1);
    expect(item('Blueberry')).toHaveFocus();
  });
});
