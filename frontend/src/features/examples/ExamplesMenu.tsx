import { EXAMPLES, type Example } from './examples';

/** A native select (keyboard and screen-reader friendly); it resets so the same example can be picked again. */
export function ExamplesMenu({ onPick }: { onPick: (example: Example) => void }) {
  return (
    <label className="flex items-center gap-1.5 text-sm">
      <span className="sr-only sm:not-sr-only text-slate-600 dark:text-slate-300">Examples</span>
      <select
        className="control h-8 max-w-[11rem] py-0 pr-7"
        value=""
        aria-label="Load an example"
        onChange={(e) => {
          const example = EXAMPLES.find((x) => x.id === e.target.value);
          if (example) onPick(example);
        }}
        data-testid="examples"
      >
        <option value="" disabled>
          Load an example…
        </option>
        {EXAMPLES.map((x) => (
          <option key={x.id} value={x.id}>
            {x.title}
          </option>
        ))}
      </select>
    </label>
  );
}
