import { forwardRef, useImperativeHandle } from 'react';

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

/** The signed-in account's e-mail address as a menu button (the WAI-ARIA pattern, see useMenu, as the Examples menu). */
export const AccountMenu = forwardRef<AccountMenuHandle, { email: string; onPick: (item: AccountMenuItem) => void }>(function AccountMenu(
  { email, onPick },
  ref,
) {
  const menu = useMenu();
  const { focusButton } = menu;
  useImperativeHandle(ref, () => ({ focus: focusButton }), [focusButton]);

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
        <ul
          {...menu.menuProps}
          className="absolute top-full right-0 z-30 mt-1 w-max min-w-[11rem] rounded-md border border-slate-200 bg-white py-1 shadow-lg focus:outline-none dark:border-slate-700 dark:bg-slate-800"
        >
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
      )}
    </div>
  );
});
