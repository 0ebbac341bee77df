import { forwardRef, useId, useImperativeHandle } from 'react';

import { limitsInWords } from '../../api/limits';
import type { ClientLimits } from '../../api/types';
import { useMenu } from '../../lib/useMenu';

export type AccountMenuItem = 'submissions' | 'keys' | 'sign-out';

const ITEMS: readonly { id: AccountMenuItem; label: string }[] = [
  { id: 'submissions', label: 'My submissions' },
  { id: 'keys', label: 'API keys' },
  { id: 'sign-out', label: 'Sign out' },
];

export interface AccountMenuHandle {
  focus(): void;
}

/** "30 runs a minute · 4 at once": the dot is for the eye, a comma for a screen reader. */
function LimitsText({ limits }: { limits: ClientLimits }) {
  const [rate, alive] = limitsInWords(limits);
  return (
    <>
      {rate}
      <span aria-hidden="true"> ·</span>
      <span className="sr-only">,</span> {alive}
    </>
  );
}

interface Props {
  email: string;
  /** What the account's sign-ins may run (GET /users/me), shown atop the menu. */
  limits: ClientLimits;
  onPick: (item: AccountMenuItem) => void;
}

/**
 * The signed-in account's e-mail address as a menu button (the WAI-ARIA pattern, see useMenu, as
 * the Examples menu). Atop the open menu, what the account may run: the menu's description, so
 * that a screen reader says it as the menu opens (it holds items only).
 */
export const AccountMenu = forwardRef<AccountMenuHandle, Props>(function AccountMenu({ email, limits, onPick }, ref) {
  const menu = useMenu();
  const { focusButton } = menu;
  useImperativeHandle(ref, () => ({ focus: focusButton }), [focusButton]);
  const limitsId = `${useId()}-limits`;

  return (
    <div {...menu.rootProps} className="relative min-w-0">
      <button
        {...menu.buttonProps}
        type="button"
        className="btn btn-secondary max-w-full"
        aria-label={`Account: ${email}`}
        title={`Signed in as ${email}`}
        data-testid="account-menu"
      >
        <span className="truncate">{email}</span>
      </button>
      {menu.open && (
        // A press on the limits keeps the focus in the menu, as a press on an item does. On a phone
        // the items set the width and the limits wrap within it (width 0, at least the menu's).
        <div
          className="absolute top-full right-0 z-30 mt-1 w-max max-w-[calc(100vw-1rem)] min-w-[11rem] rounded-md border border-slate-200 bg-white shadow-lg dark:border-slate-700 dark:bg-slate-800"
          onMouseDown={(e) => e.preventDefault()}
        >
          <p
            id={limitsId}
            className="w-0 min-w-full border-b border-slate-200 px-3 py-2 text-xs text-slate-600 sm:w-auto sm:max-w-[18rem] dark:border-slate-700 dark:text-slate-300"
            data-testid="account-limits"
          >
            <span className="block font-medium text-slate-800 dark:text-slate-100">Your limits:</span> <LimitsText limits={limits} />
          </p>
          <ul {...menu.menuProps} aria-describedby={limitsId} className="py-1 focus:outline-none">
            {ITEMS.map((item) => (
              <li key={item.id} role="none">
                <button
                  {...menu.itemProps(() => onPick(item.id))}
                  type="button"
                  className="block w-full px-3 py-1.5 text-left text-sm text-slate-800 focus:bg-sky-100 focus:outline-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:ring-inset touch:py-2.5 dark:text-slate-100 dark:focus:bg-slate-700"
                >
                  {item.label}
                </button>
              </li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
});
