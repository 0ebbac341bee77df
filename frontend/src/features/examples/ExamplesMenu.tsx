import { forwardRef, useImperativeHandle } from 'react';

import { useMenu } from '../../lib/useMenu';
import { EXAMPLES, type Example } from './examples';

/** Keeps this many px between the open menu and the window's edge. */
const EDGE_PX = 12;

/** Fits the open menu in the window: the button may sit near its right edge on a phone. */
function fitInWindow(menu: HTMLElement): void {
  menu.style.left = '0px';
  const rect = menu.getBoundingClientRect();
  const overflow = rect.right - (document.documentElement.clientWidth - EDGE_PX);
  if (overflow > 0) menu.style.left = `${-Math.max(0, Math.min(overflow, rect.left - EDGE_PX))}px`;
}

export interface ExamplesMenuHandle {
  /** Focuses the menu's button. */
  focus(): void;
}

/**
 * "Examples ▾": a menu button (the WAI-ARIA pattern, see useMenu). Each example's whole title
 * shows, wrapped if need be.
 */
export const ExamplesMenu = forwardRef<ExamplesMenuHandle, { onPick: (example: Example) => void }>(function ExamplesMenu({ onPick }, ref) {
  const menu = useMenu({ place: fitInWindow });
  const { focusButton } = menu;
  useImperativeHandle(ref, () => ({ focus: focusButton }), [focusButton]);

  return (
    <div {...menu.rootProps} className="relative">
      <button {...menu.buttonProps} type="button" className="btn btn-secondary" data-testid="examples">
        Examples
        <svg aria-hidden="true" viewBox="0 0 16 16" className={`size-3.5 ${menu.open ? 'rotate-180' : ''}`}>
          <path d="M4 6l4 4 4-4" fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
      </button>
      {menu.open && (
        <ul
          {...menu.menuProps}
          className="absolute top-full z-30 mt-1 focus:outline-none max-h-[min(70vh,32rem)] w-max max-w-[min(22rem,calc(100vw-1.5rem))] overflow-y-auto rounded-md border border-slate-200 bg-white py-1 shadow-lg dark:border-slate-700 dark:bg-slate-800"
          data-testid="examples-menu"
        >
          {EXAMPLES.map((example) => (
            <li key={example.id} role="none">
              <button
                {...menu.itemProps(() => onPick(example))}
                type="button"
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
