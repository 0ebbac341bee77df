import { describeProblem } from '../../api/errors';
import { resultsOf } from '../../api/types';
import { modKey } from '../../lib/platform';
import type { Segment } from '../run/transcript';
import { hasLiveOutput, type Busy, type LiveView, type ProblemView, type ResultView } from '../run/useRunner';
import { formatDuration, formatMemory, STATUS_SENTENCES } from './format';
import { OutputTabs } from './OutputTabs';
import { ProblemBanner } from './ProblemBanner';
import { ResultsView } from './ResultsView';
import { StatusBadge } from './StatusBadge';
import { StreamView } from './StreamView';
import { ViolationList } from './ViolationList';

interface Props {
  busy: Busy;
  view: ResultView | null;
  problem: ProblemView | null;
  /** The live run's output so far (while it runs, or after it ended without a result). */
  live?: LiveView | null;
  /** A Share is under way: the run it needs first is running, or the run is being sent. */
  sharing?: boolean;
  onJump: (line: number, col: number) => void;
}

const BUSY_TEXT: Record<Exclude<Busy, null>, string> = {
  run: 'Running…',
  share: 'Sharing…',
  load: 'Loading the saved snippet…',
};

function busyText(busy: Exclude<Busy, null>, live: LiveView | null, sharing: boolean): string {
  if (busy === 'run' && live?.stopping) return 'Stopping…';
  if (busy === 'run' && sharing) return 'Running, then sharing…';
  return BUSY_TEXT[busy];
}

/** The sentence screen readers hear when a run ends (the live region), and sighted users see. */
function announcement(busy: Busy, view: ResultView | null, problem: ProblemView | null, live: LiveView | null, sharing: boolean): string {
  if (busy) return busyText(busy, live, sharing);
  if (problem) return describeProblem(problem.problem, undefined, problem.action);
  if (live?.cancelled) {
    return live.transport === 'http'
      ? 'Stopped waiting for the run (the server ends it at its time limit).'
      : 'Stopped before the program started.';
  }
  if (!view) return `Press Run or ${modKey}+Enter to run the code.`;
  const { result } = view;
  const parts = [STATUS_SENTENCES[result.status]];
  if (view.source === 'run' && view.savedId) parts.push('Shared: the permalink above shows this code, input and output.');
  return parts.join(' ');
}

function Metric({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-baseline gap-1">
      <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="font-mono font-medium text-slate-900 dark:text-slate-100">{value}</dd>
    </div>
  );
}

/** stdout and stderr: a result's (authoritative) copies, or a live run's output as it arrives. */
function Streams({ stdout, stderr, truncated, placeholder }: {
  stdout: string | readonly Segment[];
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  placeholder: string;
}) {
  return (
    <>
      <StreamView label="Standard output" content={stdout} placeholder={placeholder} truncated={truncated.stdout} tone="out" testId="stdout" />
      {(stderr !== '' || truncated.stderr) && (
        <StreamView label="Standard error" content={stderr} truncated={truncated.stderr} tone="err" testId="stderr" />
      )}
    </>
  );
}

const NOT_TRUNCATED = { stdout: false, stderr: false };

export function OutputPanel({ busy, view, problem, live = null, sharing = false, onJump }: Props) {
  // The result stays in view while it is being shared.
  const result = busy === null || busy === 'share' ? view?.result : undefined;
  // A live run's output shows while it runs, and stays (under the banner) if it ended without a result.
  const showLive = live !== null && (busy === 'run' || (!busy && live.phase === 'over'));
  return (
    // shrink-0: the column scrolls; squeezed, tall results would spill over the runtime panel below.
    <section aria-labelledby="output-heading" className="flex shrink-0 flex-col gap-3" aria-busy={busy !== null}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h2 id="output-heading" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
          Output
        </h2>
        {result && <StatusBadge status={result.status} />}
        {busy && (
          <span className="inline-flex items-center gap-1.5 text-xs text-slate-600 dark:text-slate-300">
            <span aria-hidden="true" className="size-3 animate-spin rounded-full border-2 border-sky-500 border-t-transparent" />
            {busyText(busy, live, sharing)}
          </span>
        )}
        {result && (
          <dl className="flex flex-wrap gap-x-3 gap-y-0.5 text-xs" data-testid="metrics">
            <Metric label="Wall" value={formatDuration(result.wall_ms)} />
            <Metric label="CPU" value={formatDuration(result.cpu_ms)} />
            <Metric label="Peak memory" value={formatMemory(result.memory_kb)} />
            {result.exit_code !== null && result.exit_code !== 0 && <Metric label="Exit code" value={String(result.exit_code)} />}
            {/* A stopped run was killed by Stop itself: its SIGKILL says nothing new. */}
            {result.signal && result.status !== 'stopped' && <Metric label="Signal" value={result.signal} />}
          </dl>
        )}
      </div>

      {/* With a problem banner below, the sentence would show twice: keep it for screen readers only. */}
      <p
        role="status"
        aria-live="polite"
        className={problem && problem.problem.kind !== 'policy' ? 'sr-only' : 'text-sm text-slate-700 dark:text-slate-300'}
        data-testid="run-status"
      >
        {announcement(busy, view, problem, live, sharing)}
      </p>

      {problem && problem.problem.kind !== 'policy' && <ProblemBanner view={problem} />}
      {problem && problem.problem.kind === 'policy' && <ViolationList violations={problem.problem.violations} onJump={onJump} />}

      {showLive && (live.transport === 'stream' || hasLiveOutput(live)) && (
        <Streams stdout={live.stdout} stderr={live.stderr} truncated={NOT_TRUNCATED} placeholder={busy ? 'Waiting for output…' : '(no output)'} />
      )}

      {view && result && (
        <>
          {view.source === 'permalink' && view.createdAt && (
            <p className="text-xs text-slate-600 dark:text-slate-400">
              Saved run from {new Date(view.createdAt).toLocaleString()}.
            </p>
          )}
          {/* Under a refused run, the output is not the refused run's: say whose it is (a refused share's is its own). */}
          {problem && problem.action !== 'share' && view.source !== 'permalink' && (
            <p className="text-xs text-slate-600 dark:text-slate-400" data-testid="previous-output">
              Output of the previous run:
            </p>
          )}
          {result.error && (
            <div
              className="flex flex-wrap items-center gap-2 rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-950 dark:border-red-900/70 dark:bg-red-950/40 dark:text-red-100"
              data-testid="exception"
            >
              <span className="font-mono font-semibold">{result.error.type}</span>
              <span className="min-w-0 flex-1 break-words">{result.error.message}</span>
              {result.error.line !== null && (
                <button type="button" className="btn btn-secondary h-7 text-xs" onClick={() => onJump(result.error?.line ?? 1, 1)}>
                  Go to line {result.error.line}
                </button>
              )}
            </div>
          )}
          {resultsOf(result).length > 0 ? (
            <OutputTabs result={result} output={<ResultStreams view={view} />} results={<ResultsView results={resultsOf(result)} />} />
          ) : (
            <ResultStreams view={view} />
          )}
        </>
      )}
    </section>
  );
}

function ResultStreams({ view }: { view: ResultView }) {
  const { result } = view;
  return <Streams stdout={view.transcript ?? result.stdout} stderr={result.stderr} truncated={result.truncated} placeholder="(no output)" />;
}
