import { useMemo } from 'react';

import type { Runner } from '../run/useRunner';
import type { LiveInputProps } from './LiveInput';

/**
 * The line input to a live run's stdin, under its output, once the server has started it: only
 * when the stdin box was empty (its text is otherwise the whole input), not with the HTTP
 * fallback. Null otherwise. `onLeave`: where the focus goes when the field goes with it.
 */
export function useLiveInput(
  runner: Pick<Runner, 'busy' | 'live' | 'sendLine' | 'closeInput'>,
  onLeave: () => void,
): LiveInputProps | null {
  const { busy, live, sendLine, closeInput } = runner;
  const running = busy === 'run';
  return useMemo(
    () =>
      running && live?.transport === 'stream' && live.phase === 'running' && live.input === 'typed'
        ? { open: live.stdinOpen, waiting: live.waiting, onSend: sendLine, onClose: closeInput, onLeave }
        : null,
    [running, live?.transport, live?.phase, live?.input, live?.stdinOpen, live?.waiting, sendLine, closeInput, onLeave],
  );
}
