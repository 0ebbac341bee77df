import { modKey } from '../../lib/platform';
import { useTouchScreen } from '../../lib/useMediaQuery';

interface Props {
  /** A run is going: the first button is Stop. */
  running: boolean;
  /** A run or a Share is under way: no new one. */
  busy: boolean;
  /** A Share is under way (running the code first, or sending the run). */
  sharing: boolean;
  onRun: () => void;
  onStop: () => void;
  onShare: () => void;
}

/** The header's Run (Stop while a run goes) and Share buttons. */
export function RunToolbar({ running, busy, sharing, onRun, onStop, onShare }: Props) {
  const touch = useTouchScreen();
  return (
    <>
      {/* One button, Run or Stop: it keeps the keyboard focus when a run starts and ends. */}
      <button
        type="button"
        className={running ? 'btn btn-danger' : 'btn btn-primary'}
        onClick={running ? onStop : onRun}
        disabled={!running && busy}
        title={running ? 'Stop the program (Esc)' : `Run (${modKey}+Enter)`}
        aria-keyshortcuts={running ? 'Escape' : 'Control+Enter Meta+Enter'}
      >
        <span aria-hidden="true">{running ? '■' : '▶'}</span> {running ? 'Stop' : 'Run'}
        {!touch && (
          <kbd aria-hidden="true" className="hidden rounded bg-white/20 px-1 font-sans text-[11px] sm:inline" data-testid="run-key">
            {running ? 'Esc' : `${modKey}+↵`}
          </kbd>
        )}
      </button>
      <button
        type="button"
        className="btn btn-secondary"
        onClick={onShare}
        disabled={busy}
        title={
          running && !sharing
            ? 'Share the run once it ends (or stop it first)'
            : `Share a permalink to this code, its input and the run’s output, failing or not (${modKey}+S)`
        }
        aria-keyshortcuts="Control+S Meta+S"
      >
        {sharing ? 'Sharing…' : 'Share'}
      </button>
    </>
  );
}
