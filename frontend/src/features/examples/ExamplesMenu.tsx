import { forwardRef, useEffect, useId, useImperativeHandle, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

import { EXAMPLES, type Example } from './examples';

/** Keeps this many px between the open menu and the window's edge. */
const EDGE_PX = 12;

/** The menu's items, in order. */
function menuItems(menu: HTMLUListElement | null): HTMLButtonElement[] {
  return Array.from(menu?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
}

/** Focuses the item at `index`, counting round: -1 is the last one. */
function focusMenuItem(menu: HTMLUListElement | null, index: number): void {
  const all = menuItems(menu);
  all[(index + all.length) % all.length]?.focus();
}

export interface ExamplesMenuHandle {
  /** Focuses the menu's button. */
  focus(): void;
}

/**
 * "Examples ▾": a menu button (the WAI-ARIA pattern). Each example's whole title shows, wrapped
 * if need be. Arrows, Home, End and a title's first letter move in the menu; Enter picks; Escape
 * closes it and gives the focus back to the button; Tab or a click elsewhere closes it.
 */
export const ExamplesMenu = forwardRef<ExamplesMenuHandle, { onPick: (example: Example) => void }>(function ExamplesMenu({ onPick }, ref) {
  const [open, setOpen] = useState(false);
  /** The item to focus once the menu is open. */
  const [start, setStart] = useState<'first' | 'last'>('first');
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useId();
  useImperativeHandle(ref, () => ({ focus: () => button.current?.focus() }), []);

  const items = () => menuItems(menu.current);
  const focusItem = (index: number) => focusMenuItem(menu.current, index);

  const openAt = (where: 'first' | 'last') => {
    setStart(where);
    setOpen(true);
  };
  const close = (refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  };

  // Opened: fit the menu in the window (the button may sit near its right edge on a phone), then focus an item.
  useLayoutEffect(() => {
    const el = menu.current;
    if (!open || !el) return;
    el.style.left = '0px';
    const rect = el.getBoundingClientRect();
    const overflow = rect.right - (document.documentElement.clientWidth - EDGE_PX);
    if (overflow > 0) el.style.left = `${-Math.max(0, Math.min(overflow, rect.left - EDGE_PX))}px`;
    focusMenuItem(el, start === 'first' ? 0 : -1);
  }, [open, start]);

  // A press anywhere else closes the menu (the focus stays where the press put it).
  useEffect(() => {
    if (!open) return undefined;
    const onPointerDown = (e: PointerEvent) => {
      if (e.target instanceof Node && !root.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const onButtonKeyDown = (e: KeyboardEvent<HTMLButtonElement>) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      openAt(e.key === 'ArrowDown' ? 'first' : 'last');
    }
  };

  const onMenuKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const all = items();
    const i = all.findIndex((item) => item === document.activeElement);
    if (e.key === 'ArrowDown') focusItem(i + 1);
    else if (e.key === 'ArrowUp') focusItem(i - 1);
    else if (e.key === 'Home') focusItem(0);
    else if (e.key === 'End') focusItem(-1);
    else if (e.key === 'Escape') close(true);
    // (Tab moves the focus on as usual; the menu closes as the focus leaves it.)
    else if (e.key.length === 1 && /\S/.test(e.key) && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const key = e.key.toLowerCase();
      const next = [...all.slice(i + 1), ...all.slice(0, i + 1)].find((item) => item.textContent?.trim().toLowerCase().startsWith(key));
      next?.focus();
    } else return;
    // Handled here: the page's own keys (Escape stops a run) leave it alone.
    e.preventDefault();
  };

  const pick = (example: Example) => {
    close(true);
    onPick(example);
  };

  return (
    <div
      ref={root}
      className="relative"
      onBlur={(e) => {
        // The focus went elsewhere (Tab, a screen reader's cursor, another window): the menu closes.
        if (open && !(e.relatedTarget instanceof Node && root.current?.contains(e.relatedTarget))) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        id={`${id}-button`}
        className="btn btn-secondary"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => (open ? close(false) : openAt('first'))}
        onKeyDown={onButtonKeyDown}
        data-testid="examples"
      >
        Examples
        <svg aria-hidden="true" viewBox="0 0 16 16" className={`size-3.5 ${open ? 'rotate-180' : ''}`}>
          <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
      {open && (
        <ul
          ref={menu}
          id={`${id}-menu`}
          role="menu"
          tabIndex={-1}
          aria-labelledby={`${id}-button`}
          onKeyDown={onMenuKeyDown}
          // A press inside keeps the focus where it is: Safari does not focus a pressed button, and
          // the focus leaving for nowhere would close the menu before the click lands.
          onMouseDown={(e) => e.preventDefault()}
          className="absolute top-full z-30 mt-1 focus:outline-none max-h-[min(70vh,32rem)] w-max max-w-[min(22rem,calc(100vw-1.5rem))] overflow-y-auto rounded-md border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-800"
          data-testid="examples-menu"
        >
          {EXAMPLES.map((example) => (
            <li key={example.id} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                onClick={() => pick(example)}
                // The item under the mouse is the current one, as in a native menu (one highlight, not two).
                onPointerMove={(e) => {
                  if (e.pointerType === 'mouse' && document.activeElement !== e.currentTarget) e.currentTarget.focus();
                }}
                className="block w-full px-3 py-1.5 text-left text-sm break-words whitespace-normal text-slate-800 focus:bg-sky-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-inset touch:py-2.5 dark:text-slate-100 dark:focus:bg-slate-700"
                data-testid={`example-${example.id}`}
              >
                {example.title}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
