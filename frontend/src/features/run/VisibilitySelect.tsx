import type { Visibility } from '../../api/types';

const LABELS: Record<Visibility, string> = {
  unlisted: 'Unlisted (anyone with the link)',
  private: 'Private (only me)',
};

/** Who may read what Share saves: offered to a signed-in person only (a private save needs an account). */
export function VisibilitySelect({ value, onChange }: { value: Visibility; onChange: (v: Visibility) => void }) {
  return (
    <label className="flex min-w-0 items-center gap-1.5 text-sm">
      <span className="text-slate-600 dark:text-slate-300">Share as</span>
      <select className="control h-8 min-w-0 py-0 pr-7" value={value} onChange={(e) => onChange(e.target.value as Visibility)}>
        {(Object.keys(LABELS) as Visibility[]).map((v) => (
          <option key={v} value={v}>
            {LABELS[v]}
          </option>
        ))}
      </select>
    </label>
  );
}
