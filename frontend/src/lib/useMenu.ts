import {
  useCallback,
  useEffect,
  useId,
  useLayoutEffect,
  useRef,
  useState,
  type FocusEvent,
  type KeyboardEvent,
  type MouseEvent,
  type PointerEvent,
  type RefObject,
} from 'react';

/** The menu's items, in order. */
function menuItems(menu: HTMLElement | null): HTMLElement[] {
  return Array.from(menu?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? []);
}

/** Focuses the item at `index`, counting round: -1 is the last one. */
function focusAt(items: readonly HTMLElement[], index: number): void {
  items[(index + items.length) % items.length]?.focus();
}

/** The next item after `current` (round again from the top) whose text starts with `key`. */
function itemStartingWith(items: readonly HTMLElement[], current: number, key: string): HTMLElement | undefined {
  const needle = key.toLowerCase();
  return [...items.slice(current + 1), ...items.slice(0, current + 1)].find((item) =>
    item.textContent?.trim().toLowerCase().startsWith(needle),
  );
}

/** A key that types a letter, digit or sign (no modifier but Shift): it moves to an item by its first letter. */
function isTypedCharacter(e: KeyboardEvent): boolean {
  return e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey;
}

export interface MenuOptions {
  /** Places the open menu (e.g. fits it in the window) before an item takes the focus. */
  place?: (menu: HTMLElement) => void;
}

export interface Menu {
  open: boolean;
  /** Focuses the menu's button (e.g. for the owner's imperative handle). */
  focusButton: () => void;
  /** For the element around the button and the menu: the focus leaving it closes the menu. */
  rootProps: { ref: RefObject<HTMLDivElement>; onBlur: (e: FocusEvent) => void };
  buttonProps: {
    ref: RefObject<HTMLButtonElement>;
    id: string;
    'aria-haspopup': 'menu';
    'aria-expanded': boolean;
    'aria-controls': string | undefined;
    onClick: () => void;
    onKeyDown: (e: KeyboardEvent) => void;
  };
  /** For the list, rendered only while `open`. */
  menuProps: {
    ref: RefObject<HTMLUListElement>;
    id: string;
    role: 'menu';
    tabIndex: -1;
    'aria-labelledby': string;
    onKeyDown: (e: KeyboardEvent) => void;
    onMouseDown: (e: MouseEvent) => void;
  };
  /** For an item: `onSelect` runs once the menu has closed (the focus back on its button). */
  itemProps: (onSelect: () => void) => {
    role: 'menuitem';
    tabIndex: -1;
    onClick: () => void;
    onPointerMove: (e: PointerEvent<HTMLElement>) => void;
  };
}

/**
 * A menu button, the WAI-ARIA pattern: the button opens it (click, or Down and Up for the first
 * and the last item); in it arrows, Home, End and an item's first letter move, Enter picks, Escape
 * closes it and gives the focus back to the button; Tab or a press elsewhere closes it. The
 * page's own keys (Escape stops a run) do not see the keys the menu handles.
 */
export function useMenu({ place }: MenuOptions = {}): Menu {
  const [open, setOpen] = useState(false);
  /** The item to focus once the menu is open. */
  const [start, setStart] = useState<'first' | 'last'>('first');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useId();
  const buttonId = `${id}-button`;
  const menuId = `${id}-menu`;

  // The latest `place`, so that an inline function does not re-run the opening effect at every render.
  const placeMenu = useRef(place);
  useLayoutEffect(() => {
    placeMenu.current = place;
  });

  const focusButton = useCallback(() => button.current?.focus(), []);
  const openAt = (where: 'first' | 'last') => {
    setStart(where);
    setOpen(true);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) focusButton();
  };

  // Opened: place the menu, then focus an item.
  useLayoutEffect(() => {
    const el = menu.current;
    if (!open || !el) return;
    placeMenu.current?.(el);
    focusAt(menuItems(el), start === 'first' ? 0 : -1);
  }, [open, start]);

  // A press anywhere else closes the menu (the focus stays where the press put it).
  useEffect(() => {
    if (!open) return undefined;
    const onPointerDown = (e: globalThis.PointerEvent) => {
      if (e.target instanceof Node && !root.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const onMenuKeyDown = (e: KeyboardEvent) => {
    const all = menuItems(menu.current);
    const i = all.findIndex((item) => item === document.activeElement);
    if (e.key === 'ArrowDown') focusAt(all, i + 1);
    else if (e.key === 'ArrowUp') focusAt(all, i - 1);
    else if (e.key === 'Home') focusAt(all, 0);
    else if (e.key === 'End') focusAt(all, -1);
    else if (e.key === 'Escape') close(true);
    // (Tab moves the focus on as usual; the menu closes as the focus leaves it.)
    else if (isTypedCharacter(e)) itemStartingWith(all, i, e.key)?.focus();
    else return;
    e.preventDefault();
  };

  return {
    open,
    focusButton,
    rootProps: {
      ref: root,
      onBlur: (e) => {
        // The focus went elsewhere (Tab, a screen reader's cursor, another window): the menu closes.
        if (open && !(e.relatedTarget instanceof Node && root.current?.contains(e.relatedTarget))) setOpen(false);
      },
    },
    buttonProps: {
      ref: button,
      id: buttonId,
      'aria-haspopup': 'menu',
      'aria-expanded': open,
      'aria-controls': open ? menuId : undefined,
      onClick: () => (open ? close(false) : openAt('first')),
      onKeyDown: (e) => {
        if (e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return;
        e.preventDefault();
        openAt(e.key === 'ArrowDown' ? 'first' : 'last');
      },
    },
    menuProps: {
      ref: menu,
      id: menuId,
      role: 'menu',
      tabIndex: -1,
      'aria-labelledby': buttonId,
      onKeyDown: onMenuKeyDown,
      // A press inside keeps the focus where it is: Safari does not focus a pressed button, and
      // the focus leaving for nowhere would close the menu before the click lands.
      onMouseDown: (e) => e.preventDefault(),
    },
    itemProps: (onSelect) => ({
      role: 'menuitem',
      tabIndex: -1,
      onClick: () => {
        close(true);
        onSelect();
      },
      // The item under the mouse is the current one, as in a native menu (one highlight, not two).
      onPointerMove: (e) => {
        if (e.pointerType === 'mouse' && document.activeElement !== e.currentTarget) e.currentTarget.focus();
      },
    }),
  };
}
