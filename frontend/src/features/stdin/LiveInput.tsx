import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

import { useFocusWhenWaiting } from './useFocusWhenWaiting';

export interface LiveInputProps {
  /** Whether the program's stdin still takes lines (false once closed). */
  open: boolean;
  /** The program is blocked reading its stdin: the field says so and takes the focus. */
  waiting: boolean;
  /** Sends a line (without its "\n"); false when it could not be sent. */
  onSend: (line: string) => boolean;
  onClose: () => void;
  /** Called when the field disappears (the run ended) while it had the focus. */
  onLeave?: () => void;
}

/**
 * While a live run can take input, under its output: one line at a time to the program's stdin,
 * like a terminal. Enter sends the line, Ctrl+D (or the button) closes the input.
 */
export function LiveInput({ open, waiting, onSend, onClose, onLeave }: LiveInputProps) {
  const [line, setLine] = useState('');
  const row = useRef<HTMLDivElement>(null);
  const field = useRef<HTMLInputElement>(null);
  const leave = useRef(onLeave);
  leave.current = onLeave;

  useFocusWhenWaiting(field, open && waiting);

  // Layout cleanup runs before the row leaves the DOM, so where the focus is can still be seen;
  // the focus moves once the commit is over (the page's refs are being re-attached during it).
  useLayoutEffect(() => {
    const el = row.current;
    return () => {
      if (el && el.contains(document.activeElement)) queueMicrotask(() => leave.current?.());
    };
  }, [open]);

  if (!open) {
    return (
      <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="live-stdin-closed">
        Input closed: the program’s next <code>input()</code> gets end of file.
      </p>
    );
  }

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    if (e.key === 'Enter' && !e.ctrlKey && !e.metaKey && !e.altKey && !e.shiftKey) {
      e.preventDefault();
      if (onSend(line)) setLine('');
    } else if ((e.key === 'd' || e.key === 'D') && e.ctrlKey && !e.metaKey && !e.altKey) {
      e.preventDefault();
      onClose();
    }
  };

  return (
    <div ref={row} className="flex flex-col gap-1" data-testid="live-stdin-row" data-waiting={waiting}>
      <label htmlFor="live-stdin" className="flex min-h-5 flex-wrap items-center gap-2">
        <span className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300">Input</span>
        {waiting && (
          <span className="rounded bg-amber-100 px-1.5 py-0.5 text-xs font-medium text-amber-900 dark:bg-amber-900/50 dark:text-amber-200">
            Waiting for input
          </span>
        )}
        <span className="sr-only">: a line for the running program. Enter sends it, Ctrl+D closes the input.</span>
      </label>
      <div className="flex items-center gap-2">
        <span aria-hidden="true" className="font-mono text-sm text-sky-700 dark:text-sky-300">
          ›
        </span>
        <input
          ref={field}
          id="live-stdin"
          type="text"
          value={line}
          onChange={(e) => setLine(e.target.value)}
          onKeyDown={onKeyDown}
          autoComplete="off"
          autoCapitalize="off"
          spellCheck={false}
          enterKeyHint="send"
          placeholder="Type a line, Enter sends it"
          className={`control min-w-0 flex-1 font-mono text-[13px] ${waiting ? 'border-amber-500 ring-2 ring-amber-500/40 dark:border-amber-400' : ''}`}
          data-testid="live-stdin"
          aria-keyshortcuts="Enter Control+D"
        />
        <button type="button" className="btn btn-secondary" onClick={onClose} title="End of input (Ctrl+D)">
          Close input
        </button>
      </div>
    </div>
  );
}
