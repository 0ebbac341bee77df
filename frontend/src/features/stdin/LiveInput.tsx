import { useLayoutEffect, useRef, useState, type KeyboardEvent } from 'react';

export interface LiveInputProps {
  /** Whether the program's stdin still takes lines (false once closed). */
  open: boolean;
  /** Sends a line (without its "\n"); false when it could not be sent. */
  onSend: (line: string) => boolean;
  onClose: () => void;
  /** Called when the field disappears (the run ended) while it had the focus. */
  onLeave?: () => void;
}

/**
 * While a live run is going: one line at a time to the program's stdin, like a terminal.
 * Enter sends the line, Ctrl+D (or the button) closes the input.
 */
export function LiveInput({ open, onSend, onClose, onLeave }: LiveInputProps) {
  const [line, setLine] = useState('');
  const row = useRef<HTMLDivElement>(null);
  const leave = useRef(onLeave);
  leave.current = onLeave;

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
    <div ref={row} className="flex items-center gap-2" data-testid="live-stdin-row">
      <label htmlFor="live-stdin" className="sr-only">
        A line for the running program: Enter sends it, Ctrl+D closes the input
      </label>
      <span aria-hidden="true" className="font-mono text-sm text-sky-700 dark:text-sky-300">
        ›
      </span>
      <input
        id="live-stdin"
        type="text"
        value={line}
        onChange={(e) => setLine(e.target.value)}
        onKeyDown={onKeyDown}
        autoComplete="off"
        autoCapitalize="off"
        spellCheck={false}
        enterKeyHint="send"
        placeholder="Type a line for the program, Enter sends it"
        className="control min-w-0 flex-1 font-mono text-[13px]"
        data-testid="live-stdin"
        aria-keyshortcuts="Enter Control+D"
      />
      <button type="button" className="btn btn-secondary" onClick={onClose} title="End of input (Ctrl+D)">
        Close input
      </button>
    </div>
  );
}
