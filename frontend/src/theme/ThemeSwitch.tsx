import { THEME_CHOICES, type ThemeChoice } from './theme';

const LABELS: Record<ThemeChoice, string> = { light: 'Light', dark: 'Dark', system: 'System' };

/** A native select: keyboard and screen-reader friendly without extra ARIA work. */
export function ThemeSwitch({ value, onChange }: { value: ThemeChoice; onChange: (c: ThemeChoice) => void }) {
  return (
    <label className="flex items-center gap-1.5 text-sm">
      <span className="text-slate-600 dark:text-slate-300">Theme</span>
      <select className="control h-8 py-0 pr-7" value={value} onChange={(e) => onChange(e.target.value as ThemeChoice)}>
        {THEME_CHOICES.map((c) => (
          <option key={c} value={c}>
            {LABELS[c]}
          </option>
        ))}
      </select>
    </label>
  );
}
