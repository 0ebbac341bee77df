import type { Limits, RuntimeInfo } from '../../api/types';
import { formatBytes } from '../output/format';
import type { RuntimeState } from './useRuntime';

function LimitRow({ label, value, max }: { label: string; value: string; max: string }) {
  return (
    <tr className="border-t border-slate-200 dark:border-slate-700">
      <th scope="row" className="py-1 pr-3 text-left font-normal text-slate-600 dark:text-slate-400">
        {label}
      </th>
      <td className="py-1 pr-3 font-mono">{value}</td>
      <td className="py-1 font-mono text-slate-600 dark:text-slate-400">{max}</td>
    </tr>
  );
}

function limitRows(d: Limits, m: Limits) {
  return [
    { label: 'Wall time', value: `${d.wall_time_s} s`, max: `${m.wall_time_s} s` },
    { label: 'CPU time', value: `${d.cpu_time_s} s`, max: `${m.cpu_time_s} s` },
    { label: 'Memory', value: `${d.memory_mb} MiB`, max: `${m.memory_mb} MiB` },
    { label: 'Output per stream', value: formatBytes(d.output_bytes), max: formatBytes(m.output_bytes) },
    { label: 'Rich results (tables, plots)', value: formatBytes(d.results_bytes), max: formatBytes(m.results_bytes) },
  ];
}

function Chips({ items, tone }: { items: readonly string[]; tone: 'ok' | 'banned' }) {
  const color =
    tone === 'ok'
      ? 'bg-sky-50 text-sky-900 ring-sky-600/20 dark:bg-sky-950/60 dark:text-sky-200'
      : 'bg-slate-100 text-slate-700 ring-slate-500/20 dark:bg-slate-800 dark:text-slate-300';
  return (
    <ul className="flex flex-wrap gap-1">
      {items.map((m) => (
        <li key={m} className={`rounded px-1.5 py-0.5 font-mono text-xs ring-1 ring-inset ${color}`}>
          {m}
        </li>
      ))}
    </ul>
  );
}

function modulesNote(policy: RuntimeInfo['policy']): string {
  if (!policy.enabled) return '(policy off: any)';
  return policy.preset === 'custom' ? "(the operator's list)" : `(${policy.preset} preset)`;
}

/** The sandbox's Python, packages, code policy and limits (GET /api/v1/runtime). */
export function RuntimePanel({ state }: { state: RuntimeState }) {
  const summary =
    state.kind === 'ready'
      ? `Runtime: Python ${state.info.python}${Object.entries(state.info.packages)
          .map(([name, v]) => `, ${name} ${v}`)
          .join('')}`
      : state.kind === 'loading'
        ? 'Runtime: loading…'
        : 'Runtime: unavailable';
  return (
    <details
      className="group rounded-md border border-slate-200 bg-white text-sm dark:border-slate-700 dark:bg-slate-900"
      data-testid="runtime"
    >
      <summary className="cursor-pointer rounded-md px-3 py-2 font-medium text-slate-800 select-none focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:text-slate-100">
        {summary}
      </summary>
      <div className="flex flex-col gap-3 border-t border-slate-200 px-3 py-3 dark:border-slate-700">
        {state.kind === 'failed' && <p>{state.message}</p>}
        {state.kind === 'loading' && <p>Loading…</p>}
        {state.kind === 'ready' && (
          <>
            <div>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">Versions</h3>
              <Chips
                items={[`python ${state.info.python}`, ...Object.entries(state.info.packages).map(([n, v]) => `${n} ${v}`)]}
                tone="ok"
              />
            </div>
            <div>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
                Importable modules {modulesNote(state.info.policy)}
              </h3>
              <Chips items={state.info.policy.allowed_modules} tone="ok" />
            </div>
            <div>
              <h3 className="mb-1 text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">Banned builtins</h3>
              <Chips items={state.info.policy.banned_builtins} tone="banned" />
            </div>
            <table className="w-full text-sm">
              <caption className="mb-1 text-left text-xs font-semibold uppercase tracking-wide text-slate-600 dark:text-slate-400">
                Limits
              </caption>
              <thead>
                <tr className="text-left text-xs text-slate-600 dark:text-slate-400">
                  <th scope="col" className="font-normal">
                    <span className="sr-only">Limit</span>
                  </th>
                  <th scope="col" className="pr-3 font-normal">
                    Default
                  </th>
                  <th scope="col" className="font-normal">
                    Maximum
                  </th>
                </tr>
              </thead>
              <tbody>
                {limitRows(state.info.default_limits, state.info.max_limits).map((r) => (
                  <LimitRow key={r.label} {...r} />
                ))}
              </tbody>
            </table>
            <p className="text-xs text-slate-600 dark:text-slate-400">
              Code: at most {state.info.policy.max_code_lines} lines and {state.info.policy.max_code_length.toLocaleString()} characters;
              input: at most {state.info.max_stdin_length.toLocaleString()} characters.
              {state.info.rate_limit ? ` Rate limit: ${state.info.rate_limit}.` : ''}
            </p>
          </>
        )}
      </div>
    </details>
  );
}
