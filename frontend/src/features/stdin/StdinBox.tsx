import { LiveInput, type LiveInputProps } from './LiveInput';

interface Props {
  value: string;
  onChange: (v: string) => void;
  maxLength?: number;
  /** A run is going: the box was sent with it and cannot change now. */
  running?: boolean;
  /** While a live run with an empty box goes: the line input to its stdin. */
  live?: LiveInputProps | null;
}

/**
 * What the program reads with input(): the box's text, given before the run (then end of
 * input); or, when the box is empty, lines typed while a live run goes.
 */
export function StdinBox({ value, onChange, maxLength, running = false, live }: Props) {
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
        aria-describedby={running && value !== '' ? 'stdin-given-note' : undefined}
        placeholder="Text the program reads with input(). Leave it empty to type input while the program runs."
        className="control resize-y font-mono text-[13px] read-only:opacity-70"
      />
      {running && value !== '' && (
        <p id="stdin-given-note" className="text-xs text-slate-600 dark:text-slate-400" data-testid="stdin-given-note">
          The program reads this text, then end of input. To type input while it runs, leave the box empty.
        </p>
      )}
      {live && <LiveInput {...live} />}
    </div>
  );
}
