import { useEffect, useRef, useState } from 'react';

import { copyText } from '../../lib/clipboard';
import { modKey } from '../../lib/platform';
import { useTouchScreen } from '../../lib/useMediaQuery';
import { permalinkUrl } from './route';

/** The permalink of the saved snippet, with a copy button; shown while that snippet is open. */
export function ShareBar({ id }: { id: string }) {
  const url = permalinkUrl(id);
  const input = useRef<HTMLInputElement>(null);
  const [copied, setCopied] = useState<'yes' | 'failed' | null>(null);
  const touch = useTouchScreen();

  useEffect(() => {
    if (copied === null) return undefined;
    const timer = window.setTimeout(() => setCopied(null), 2500);
    return () => window.clearTimeout(timer);
  }, [copied]);

  return (
    <div className="flex min-w-0 flex-1 items-center gap-2">
      <label htmlFor="permalink" className="shrink-0 text-sm font-medium text-slate-700 dark:text-slate-200">
        Permalink
      </label>
      <input
        id="permalink"
        ref={input}
        readOnly
        value={url}
        onFocus={(e) => e.currentTarget.select()}
        className="control h-8 min-w-0 flex-1 font-mono text-xs"
        data-testid="permalink"
      />
      <button
        type="button"
        className="btn btn-secondary h-8"
        onClick={() => void copyText(url, input.current).then((ok) => setCopied(ok ? 'yes' : 'failed'))}
      >
        Copy link
      </button>
      <span role="status" className="text-xs text-slate-600 dark:text-slate-300">
        {copied === 'yes' ? 'Copied!' : copied === 'failed' ? (touch ? 'Copy the selected link' : `Press ${modKey}+C to copy`) : ''}
      </span>
    </div>
  );
}
