interface Props {
  label: string;
  text: string;
  truncated: boolean;
  tone: 'out' | 'err';
  testId: string;
}

/** One output stream. Printed text is rendered as text (never HTML), so output cannot inject markup. */
export function StreamView({ label, text, truncated, tone, testId }: Props) {
  const id = `${testId}-label`;
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
        data-testid={testId}
        tabIndex={0}
        className={`max-h-[40vh] overflow-auto rounded-md border p-3 font-mono text-[13px] leading-5 whitespace-pre-wrap break-words focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none ${
          tone === 'err'
            ? 'border-red-200 bg-red-50 text-red-900 dark:border-red-900/70 dark:bg-red-950/40 dark:text-red-200'
            : 'border-slate-200 bg-white text-slate-900 dark:border-slate-700 dark:bg-slate-900 dark:text-slate-100'
        }`}
      >
        {text}
      </pre>
    </section>
  );
}
