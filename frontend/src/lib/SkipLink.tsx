import type { MouseEvent, ReactNode } from 'react';

/**
 * The page's first Tab stop, shown only while focused: it moves the focus to the element with the
 * id `target`, without changing the address (the app's routes are paths; a #hash would add a
 * history entry).
 */
export function SkipLink({ target, children }: { target: string; children: ReactNode }) {
  const onClick = (e: MouseEvent<HTMLAnchorElement>) => {
    const el = document.getElementById(target);
    if (!el) return;
    e.preventDefault();
    el.focus();
  };
  return (
    <a
      href={`#${target}`}
      onClick={onClick}
      // Above the top edge until focused (still there for screen readers), then over the header's corner.
      className="fixed top-2 left-2 z-50 -translate-y-[calc(100%+1rem)] rounded-md bg-sky-700 px-3 py-2 text-sm font-medium text-white focus:translate-y-0 focus:shadow-lg focus:ring-2 focus:ring-sky-500 focus:ring-offset-2 focus:outline-none dark:focus:ring-offset-slate-900"
      data-testid="skip-link"
    >
      {children}
    </a>
  );
}
