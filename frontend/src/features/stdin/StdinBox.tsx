interface Props {
  value: string;
  onChange: (v: string) => void;
  maxLength?: number;
  /** A run is going: the box was sent with it and cannot change now. */
  running?: boolean;
  /** The running program takes lines typed in the field under its output (the box was empty). */
  typing?: boolean;
}

/**
 * What the program reads with input(): the box's text, given before the run (then end of
 * input); or, when the box is empty, lines typed while a live run goes (in the output panel,
 * under the output).
 */
export function StdinBox({ value, onChange, maxLength, running = false, typing = false }: Props) {
  const note =
    running && value !== ''
      ? {
          id: 'stdin-given-note',
          text: 'The program reads this text, then end of input. To type input while it runs, leave the box empty.',
        }
      : running && typing
        ? { id: 'stdin-typed-note', text: 'While it runs, type the program’s input in the field under its output.' }
        : null;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor="stdin" className="text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-300">
        Standard input
      </label>
      <textarea
        id="stdin"
        value={value}
        onChange={(e) => onChange(e.target.value)}
        rows={3}
        spellCheck={false}
        maxLength={maxLength}
        readOnly={running}
        aria-describedby={note?.id}
        placeholder="Text the program reads with input(). Leave it empty to type input while the program runs."
        className="control resize-y font-mono text-[13px] read-only:opacity-70"
      />
      {note && (
        <p id={note.id} className="text-xs text-slate-600 dark:text-slate-400" data-testid={note.id}>
          {note.text}
        </p>
      )}
    </div>
  );
}
