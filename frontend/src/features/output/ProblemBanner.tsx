import { describeProblem, isReceiptRefusal, type ApiProblem } from '../../api/errors';
import { useCountdown } from '../../lib/useCountdown';
import type { ProblemView } from '../run/runState';

function waitOf(problem: ApiProblem): number | null {
  if (problem.kind === 'rate-limited' || problem.kind === 'client-share') return problem.retryAfterS;
  if (problem.kind === 'unavailable') return problem.retryAfterS;
  return null;
}

/** A failed request as a sentence; waits (429s, 503) count down to zero. */
export function ProblemBanner({ view }: { view: ProblemView }) {
  const wait = waitOf(view.problem);
  const remaining = useCountdown(wait === null ? null : view.at + wait * 1000);
  const { problem } = view;
  const tone =
    problem.kind === 'rate-limited' || problem.kind === 'client-share' || problem.kind === 'unavailable'
      ? 'border-amber-300 bg-amber-50 text-amber-950 dark:border-amber-800 dark:bg-amber-950/40 dark:text-amber-100'
      : 'border-red-300 bg-red-50 text-red-950 dark:border-red-900 dark:bg-red-950/40 dark:text-red-100';
  return (
    <div className={`rounded-md border px-3 py-2 text-sm ${tone}`} data-testid="problem" data-kind={problem.kind}>
      <p>{describeProblem(problem, remaining ?? undefined, view.action)}</p>
      {/* A refused receipt is explained above; its field name would only puzzle. */}
      {problem.kind === 'invalid' && problem.errors.length > 0 && !(view.action === 'share' && isReceiptRefusal(problem)) && (
        <ul className="mt-1 list-disc pl-5">
          {problem.errors.map((e) => (
            <li key={e.field}>
              <span className="font-mono text-xs">{e.field}</span>: {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
