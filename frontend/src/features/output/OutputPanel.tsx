import type { ReactNode } from 'react';

import { resultsOf } from '../../api/types';
import { useTouchScreen } from '../../lib/useMediaQuery';
import type { Segment } from '../run/transcript';
import { hasLiveOutput, type Busy, type LiveView, type ProblemView, type ResultView } from '../run/runState';
import { LiveInput, type LiveInputProps } from '../stdin/LiveInput';
import { formatDuration, formatMemory } from './format';
import { OutputTabs } from './OutputTabs';
import { ProblemBanner } from './ProblemBanner';
import { ResultsView } from './ResultsView';
import { RunProgress } from './RunProgress';
import { announcement } from './runStatus';
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
  /** While a live run can take input: the line input to its stdin, under its output. */
  input?: LiveInputProps | null;
  onJump: (line: number, col: number) => void;
}

function Metric({ label, value }: { label: string; value: string }) {
  return (
    <div className="flex items-baseline gap-1">
      <dt className="text-slate-600 dark:text-slate-400">{label}</dt>
      <dd className="font-mono font-medium text-slate-900 dark:text-slate-100">{value}</dd>
    </div>
  );
}

/** stdout and stderr: a result's (authoritative) copies, or a live run's output as it arrives (and its input, right under stdout). */
function Streams({
  stdout,
  stderr,
  truncated,
  placeholder,
  input,
}: {
  stdout: string | readonly Segment[];
  stderr: string;
  truncated: { stdout: boolean; stderr: boolean };
  placeholder: string;
  input?: ReactNode;
}) {
  return (
    <>
      <StreamView
        label="Standard output"
        content={stdout}
        placeholder={placeholder}
        truncated={truncated.stdout}
        tone="out"
        testId="stdout"
      />
      {input}
      {(stderr !== '' || truncated.stderr) && (
        <StreamView label="Standard error" content={stderr} truncated={truncated.stderr} tone="err" testId="stderr" />
      )}
    </>
  );
}

const NOT_TRUNCATED = { stdout: false, stderr: false };

/** What the live output box shows while it is empty. */
function livePlaceholder(busy: Busy, live: LiveView): string {
  if (!busy) return '(no output)';
  if (live.phase === 'queued') return 'The program starts when its turn comes.';
  return live.waiting ? '(no output yet)' : 'Waiting for output…';
}

export function OutputPanel({ busy, view, problem, live = null, sharing = false, input = null, onJump }: Props) {
  // The result stays in view while it is being shared.
  const result = busy === null || busy === 'share' ? view?.result : undefined;
  // A live run's output shows while it runs, and stays (under the banner) if it ended without a result.
  const showLive = live !== null && (busy === 'run' || (!busy && live.phase === 'over'));
  const touch = useTouchScreen();
  return (
    // shrink-0: the column scrolls; squeezed, tall results would spill over the runtime panel below.
    <section aria-labelledby="output-heading" className="flex shrink-0 flex-col gap-3" aria-busy={busy !== null}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-1">
        <h2 id="output-heading" className="text-sm font-semibold text-slate-900 dark:text-slate-100">
          Output
        </h2>
        {result && <StatusBadge result={result} />}
        {busy && <RunProgress busy={busy} live={live} sharing={sharing} />}
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
        {announcement(busy, view, problem, live, sharing, !touch)}
      </p>

      {problem && problem.problem.kind !== 'policy' && <ProblemBanner view={problem} />}
      {problem && problem.problem.kind === 'policy' && <ViolationList violations={problem.problem.violations} onJump={onJump} />}

      {showLive && (live.transport === 'stream' || hasLiveOutput(live)) && (
        <Streams
          stdout={live.stdout}
          stderr={live.stderr}
          truncated={NOT_TRUNCATED}
          placeholder={livePlaceholder(busy, live)}
          input={input && <LiveInput {...input} />}
        />
      )}

      {view && result && (
        <>
          {view.source === 'permalink' && view.createdAt && (
            <p className="text-xs text-slate-600 dark:text-slate-400">Saved run from {new Date(view.createdAt).toLocaleString()}.</p>
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
  return (
    <Streams stdout={view.transcript ?? result.stdout} stderr={result.stderr} truncated={result.truncated} placeholder="(no output)" />
  );
}
