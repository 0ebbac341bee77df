import type { ExecutionResult, RunStatus } from '../../api/types';
import { resultSentence, STATUS_LABELS } from './format';

const COLORS: Record<RunStatus, string> = {
  success: 'bg-emerald-100 text-emerald-900 ring-emerald-600/30 dark:bg-emerald-900/50 dark:text-emerald-200',
  runtime_error: 'bg-red-100 text-red-900 ring-red-600/30 dark:bg-red-900/50 dark:text-red-200',
  timeout: 'bg-amber-100 text-amber-900 ring-amber-600/30 dark:bg-amber-900/50 dark:text-amber-200',
  memory_limit: 'bg-purple-100 text-purple-900 ring-purple-600/30 dark:bg-purple-900/50 dark:text-purple-200',
  output_limit: 'bg-orange-100 text-orange-900 ring-orange-600/30 dark:bg-orange-900/50 dark:text-orange-200',
  stopped: 'bg-sky-100 text-sky-900 ring-sky-600/30 dark:bg-sky-900/50 dark:text-sky-200',
  internal_error: 'bg-slate-200 text-slate-900 ring-slate-600/30 dark:bg-slate-700 dark:text-slate-100',
};

export function StatusBadge({ result }: { result: Pick<ExecutionResult, 'status' | 'limit_hit' | 'waiting_for_input'> }) {
  const { status } = result;
  return (
    <span
      className={`inline-flex items-center rounded-full px-2.5 py-0.5 text-xs font-semibold ring-1 ring-inset ${COLORS[status]}`}
      title={resultSentence(result)}
      data-testid="status-badge"
      data-status={status}
    >
      {STATUS_LABELS[status]}
    </span>
  );
}
