import { forwardRef, useEffect, useId, useImperativeHandle, useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

export type AccountMenuItem = 'submissions' | 'keys' | 'sign-out';

const ITEMS: readonly { id: AccountMenuItem; label: string }[] = [
  { id: 'submissions', label: 'My submissions' },
  { id: 'keys', label: 'API keys' },
  { id: 'sign-out', label: 'Sign out' },
];

function menuItems(menu: HTMLUListElement | null): HTMLButtonElement[] {
  return Array.from(menu?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? []);
}

export interface AccountMenuHandle {
  focus(): void;
}

/**
 * The signed-in account's e-mail address as a menu button (the WAI-ARIA pattern, as the Examples
 * menu): arrows, Home and End move, Enter picks, Escape closes it and gives the focus back.
 */
export const AccountMenu = forwardRef<AccountMenuHandle, { email: string; onPick: (item: AccountMenuItem) => void }>(function AccountMenu(
  { email, onPick },
  ref,
) {
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLUListElement>(null);
  const id = useId();
  useImperativeHandle(ref, () => ({ focus: () => button.current?.focus() }), []);

  const focusItem = (index: number) => {
    const all = menuItems(menu.current);
    all[(index + all.length) % all.length]?.focus();
  };
  const close = () => {
    setOpen(false);
    button.current?.focus();
  };

  useLayoutEffect(() => {
    if (open) menuItems(menu.current)[0]?.focus();
  }, [open]);

  // A press anywhere else closes the menu.
  useEffect(() => {
    if (!open) return undefined;
    const onPointerDown = (e: PointerEvent) => {
      if (e.target instanceof Node && !root.current?.contains(e.target)) setOpen(false);
    };
    document.addEventListener('pointerdown', onPointerDown);
    return () => document.removeEventListener('pointerdown', onPointerDown);
  }, [open]);

  const onMenuKeyDown = (e: KeyboardEvent<HTMLUListElement>) => {
    const i = menuItems(menu.current).findIndex((item) => item === document.activeElement);
    if (e.key === 'ArrowDown') focusItem(i + 1);
    else if (e.key === 'ArrowUp') focusItem(i - 1);
    else if (e.key === 'Home') focusItem(0);
    else if (e.key === 'End') focusItem(-1);
    else if (e.key === 'Escape') close();
    else return;
    // Handled here: the page's own keys (Escape stops a run) leave it alone.
    e.preventDefault();
  };

  const pick = (item: AccountMenuItem) => {
    close();
    onPick(item);
  };

  return (
    <div
      ref={root}
      className="relative min-w-0"
      onBlur={(e) => {
        if (open && !(e.relatedTarget instanceof Node && root.current?.contains(e.relatedTarget))) setOpen(false);
      }}
    >
      <button
        ref={button}
        type="button"
        id={`${id}-button`}
        className="btn btn-secondary max-w-full"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? `${id}-menu` : undefined}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setOpen(true);
          }
        }}
        aria-label={`Account: ${email}`}
        title={`Signed in as ${email}`}
        data-testid="account-menu"
      >
        <span className="truncate">{email}</span>
      </button>
      {open && (
        <ul
          ref={menu}
          id={`${id}-menu`}
          role="menu"
          tabIndex={-1}
          aria-labelledby={`${id}-button`}
          onKeyDown={onMenuKeyDown}
          onMouseDown={(e) => e.preventDefault()}
          className="absolute top-full right-0 z-30 mt-1 w-max min-w-[11rem] rounded-md border border-slate-200 bg-white py-1 shadow-lg focus:outline-none dark:border-slate-700 dark:bg-slate-800"
        >
          {ITEMS.map((item) => (
            <li key={item.id} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                onClick={() => pick(item.id)}
                className="block w-full px-3 py-1.5 text-left text-sm text-slate-800 focus:bg-sky-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-inset touch:py-2.5 dark:text-slate-100 dark:focus:bg-slate-700"
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
});
