import { useLayoutEffect, useRef } from 'react';

import type { Segment } from '../run/transcript';

interface Props {
  label: string;
  /** The text, or a live run's transcript (the program's output with the lines the person typed). */
  content: string | readonly Segment[];
  /** Shown (dimmed) while there is no content. */
  placeholder?: string;
  truncated: boolean;
  tone: 'out' | 'err';
  testId: string;
}

const isEmpty = (content: string | readonly Segment[]) => content.length === 0;

/**
 * One output stream. Printed text is rendered as text (never HTML), so output cannot inject markup.
 * While it grows, it stays scrolled to the end unless the person scrolled up to read.
 */
export function StreamView({ label, content, placeholder, truncated, tone, testId }: Props) {
  const id = `${testId}-label`;
  const pre = useRef<HTMLPreElement>(null);
  const pinned = useRef(true);

  useLayoutEffect(() => {
    const el = pre.current;
    if (el && pinned.current) el.scrollTop = el.scrollHeight;
  }, [content]);

  const onScroll = () => {
    const el = pre.current;
    if (el) pinned.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
  };

  return (
    <section aria-labelledby={id} className="flex min-h-0 flex-col gap-1">
      <div className="flex items-center gap-2">
        <h3 id={id} className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300">
          {label}
        </h3>
        {truncated && (
          <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/50 dark:text-amber-200">
            truncated at the output limit
          </span>
        )}
      </div>
      <pre
        ref={pre}
        onScroll={onScroll}
        data-testid={testId}
        tabIndex={0}
        className={`max-h-[40vh] overflow-auto rounded-md border p-3 font-mono text-[13px] leading-5 whitespace-pre-wrap break-words focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none ${
          tone === 'err'
            ? 'border-red-200 bg-red-50 text-red-900 dark:border-red-900/70 dark:bg-red-950/40 dark:text-red-200'
            : 'border-slate-200 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100'
        }`}
      >
        {isEmpty(content) && placeholder ? (
          <span className="text-slate-500 dark:text-slate-400">{placeholder}</span>
        ) : typeof content === 'string' ? (
          content
        ) : (
          content.map((segment, i) =>
            segment.kind === 'in' ? (
              // What the person typed, styled apart so the transcript reads like a terminal.
              <span key={i} className="font-semibold text-sky-700 dark:text-sky-300" data-kind="stdin" title="You typed this">
                {segment.text}
              </span>
            ) : (
              <span key={i}>{segment.text}</span>
            ),
          )
        )}
      </pre>
    </section>
  );
}
