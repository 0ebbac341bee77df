import { useRef, useState, type KeyboardEvent, type ReactNode } from 'react';

import { resultsOf, type ExecutionResult } from '../../api/types';

export type OutputTab = 'output' | 'results';

/**
 * A run that ended well and displayed something opens on its results (like a notebook cell);
 * anything else opens on its output, where the error is.
 */
export function defaultTab(result: ExecutionResult): OutputTab {
  return resultsOf(result).length > 0 && result.status === 'success' && result.error === null ? 'results' : 'output';
}

/** The selected tab, back to the default whenever a new result arrives. */
function useTabFor(result: ExecutionResult): [OutputTab, (tab: OutputTab) => void] {
  const [state, setState] = useState(() => ({ result, tab: defaultTab(result) }));
  if (state.result !== result) {
    const next = { result, tab: defaultTab(result) };
    setState(next);
    return [next.tab, (tab) => setState({ result, tab })];
  }
  return [state.tab, (tab) => setState({ result, tab })];
}

const TABS: readonly OutputTab[] = ['output', 'results'];

/** "Output | Results (n)" over the result's panels, with the keyboard model of ARIA tabs. */
export function OutputTabs({ result, output, results }: { result: ExecutionResult; output: ReactNode; results: ReactNode }) {
  const [tab, setTab] = useTabFor(result);
  const buttons = useRef<Record<OutputTab, HTMLButtonElement | null>>({ output: null, results: null });

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>) => {
    const i = TABS.indexOf(tab);
    let next: OutputTab | undefined;
    if (e.key === 'ArrowRight') next = TABS[(i + 1) % TABS.length];
    else if (e.key === 'ArrowLeft') next = TABS[(i + TABS.length - 1) % TABS.length];
    else if (e.key === 'Home') next = TABS[0];
    else if (e.key === 'End') next = TABS[TABS.length - 1];
    if (!next) return;
    e.preventDefault();
    setTab(next);
    buttons.current[next]?.focus();
  };

  const label = (t: OutputTab) => (t === 'output' ? 'Output' : `Results (${resultsOf(result).length})`);
  return (
    <div className="flex min-h-0 flex-col gap-2">
      <div
        role="tablist"
        aria-label="Output or results"
        className="flex gap-1 border-b border-slate-200 dark:border-slate-700"
        onKeyDown={onKeyDown}
      >
        {TABS.map((t) => (
          <button
            key={t}
            ref={(el) => {
              buttons.current[t] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t}`}
            aria-selected={tab === t}
            aria-controls={`panel-${t}`}
            tabIndex={tab === t ? 0 : -1}
            onClick={() => setTab(t)}
            data-testid={`tab-${t}`}
            className={`-mb-px border-b-2 px-3 py-1.5 text-sm font-medium focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none ${
              tab === t
                ? 'border-sky-600 text-sky-800 dark:border-sky-400 dark:text-sky-200'
                : 'border-transparent text-slate-600 hover:text-slate-900 dark:text-slate-400 dark:hover:text-slate-100'
            }`}
          >
            {label(t)}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`} className="flex min-h-0 min-w-0 flex-col gap-3">
        {tab === 'output' ? output : results}
      </div>
    </div>
  );
}
