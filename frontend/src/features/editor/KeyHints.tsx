import { modKey, tabFocusKey } from '../../lib/platform';

/**
 * The keyboard shortcuts, under the editor (not shown on a touch screen). While Monaco's
 * "Tab moves focus" mode is on, it says so: Tab then leaves the editor instead of indenting.
 */
export function KeyHints({ tabMovesFocus }: { tabMovesFocus: boolean }) {
  return (
    // A live region: turning the mode on or off with the keys is heard.
    <span aria-live="polite" data-testid="key-hints">
      {modKey}+Enter runs · Esc stops · {modKey}+S shares ·{' '}
      {tabMovesFocus ? (
        <span className="font-semibold text-slate-800 dark:text-slate-200" data-testid="tab-moves-focus">
          Tab moves focus ({tabFocusKey}: Tab indents again)
        </span>
      ) : (
        `${tabFocusKey} lets Tab leave the editor`
      )}
    </span>
  );
}
