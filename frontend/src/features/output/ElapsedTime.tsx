import { useElapsed } from '../../lib/useElapsed';
import { formatElapsed } from './format';

/**
 * Time since a run started, ticking every tenth of a second. Its own component so that only this
 * text re-renders as it ticks. Not a live region: screen readers would hear every tick.
 */
export function ElapsedTime({ since }: { since: number }) {
  const elapsed = useElapsed(since) ?? 0;
  return (
    <span className="font-mono tabular-nums" title="Time since the program started" data-testid="elapsed">
      {formatElapsed(elapsed)}
    </span>
  );
}
