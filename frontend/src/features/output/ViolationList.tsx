import type { Violation } from '../../api/types';

/** The policy's findings; each jumps to its place in the editor (keyboard users included). */
export function ViolationList({ violations, onJump }: { violations: readonly Violation[]; onJump: (line: number, col: number) => void }) {
  return (
    <ul className="flex flex-col gap-1.5" data-testid="violations">
      {violations.map((v, i) => (
        <li key={`${v.line}:${v.col}:${v.rule}:${i}`}>
          <button
            type="button"
            onClick={() => onJump(v.line, v.col)}
            className="group flex w-full items-start gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-left text-sm text-red-900 hover:bg-red-100 focus-visible:ring-2 focus-visible:ring-sky-500 focus-visible:outline-none dark:border-red-900/70 dark:bg-red-950/40 dark:text-red-100 dark:hover:bg-red-900/40"
          >
            <span className="shrink-0 font-mono text-xs leading-5 text-red-700 underline-offset-2 group-hover:underline dark:text-red-300">
              line {v.line}:{v.col}
            </span>
            <span className="min-w-0 flex-1">
              {v.message} <span className="font-mono text-xs text-red-700/80 dark:text-red-300/80">({v.rule})</span>
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}
