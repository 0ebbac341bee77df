import { useMemo } from 'react';

import type { RichResult } from '../../api/types';
import { sanitizeHtml } from './sanitize';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;

const BOX = 'rounded-md border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900';

/** A DataFrame's table: sanitised, scrolling both ways inside its box (which it can never leave). */
function HtmlResult({ html }: { html: string }) {
  const clean = useMemo(() => sanitizeHtml(html), [html]);
  if (clean === null) return <PlainResult text={html} />;
  return (
    <div
      className={`rich-html max-h-[60vh] overflow-auto p-2 text-[13px] ${BOX}`}
      data-testid="result-html"
      tabIndex={0}
      // Sanitised above with a table-only allowlist (see sanitize.ts); the CSP forbids inline script.
      dangerouslySetInnerHTML={{ __html: clean }}
    />
  );
}

/** A matplotlib figure: a PNG as a data: URL (the CSP's img-src allows data:), as wide as the panel at most. */
function ImageResult({ data, index }: { data: string; index: number }) {
  const base64 = data.replace(/\s+/g, '');
  if (!BASE64.test(base64)) return <p className="text-sm text-red-700 dark:text-red-300">Result {index + 1} is not a valid PNG image.</p>;
  return (
    <div className={`p-2 ${BOX}`}>
      <img
        src={`data:image/png;base64,${base64}`}
        alt={`Figure ${index + 1} drawn by the program`}
        className="mx-auto h-auto max-w-full"
        data-testid="result-image"
      />
    </div>
  );
}

function PlainResult({ text }: { text: string }) {
  return (
    <pre
      className={`max-h-[40vh] overflow-auto p-3 font-mono text-[13px] leading-5 whitespace-pre-wrap break-words ${BOX}`}
      data-testid="result-text"
      tabIndex={0}
    >
      {text}
    </pre>
  );
}

function ResultItem({ result, index }: { result: RichResult; index: number }) {
  switch (result.mime) {
    case 'text/html':
      return <HtmlResult html={result.data} />;
    case 'image/png':
      return <ImageResult data={result.data} index={index} />;
    default:
      // text/plain, and any type this page does not know: shown as text, never interpreted.
      return <PlainResult text={result.data} />;
  }
}

/** The values the program displayed (final expression, display(), plots), in order. */
export function ResultsView({ results }: { results: readonly RichResult[] }) {
  return (
    <ol className="flex min-w-0 flex-col gap-3" data-testid="results" aria-label="Results">
      {results.map((result, i) => (
        // The list is replaced as a whole with each run; the index is a stable key within one.
        <li key={i} className="min-w-0" data-mime={result.mime}>
          <ResultItem result={result} index={i} />
        </li>
      ))}
    </ol>
  );
}
