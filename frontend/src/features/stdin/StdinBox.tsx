/** What the program reads with input() / sys.stdin. */
export function StdinBox({ value, onChange, maxLength }: { value: string; onChange: (v: string) => void; maxLength?: number }) {
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
        placeholder="Text the program reads with input()"
        className="control resize-y font-mono text-[13px]"
      />
    </div>
  );
}
