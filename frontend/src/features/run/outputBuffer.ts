import type { StreamName } from '../../api/stream';

export interface OutputBuffer {
  push(stream: StreamName, data: string): void;
  /** Hands over what is pending now (before a typed line is echoed, or the result is shown). */
  flush(): void;
  dispose(): void;
}

/**
 * Collects output messages and hands them over at most once per `intervalMs`: a chatty program
 * sends thousands of messages, and re-rendering for each would stall the page.
 */
export function createOutputBuffer(apply: (stdout: string, stderr: string) => void, intervalMs = 16): OutputBuffer {
  let stdout = '';
  let stderr = '';
  let timer: ReturnType<typeof setTimeout> | undefined;
  const flush = () => {
    clearTimeout(timer);
    timer = undefined;
    if (stdout === '' && stderr === '') return;
    const out = stdout;
    const err = stderr;
    stdout = '';
    stderr = '';
    apply(out, err);
  };
  return {
    push(stream, data) {
      if (stream === 'stdout') stdout += data;
      else stderr += data;
      timer ??= setTimeout(flush, intervalMs);
    },
    flush,
    dispose() {
      clearTimeout(timer);
      timer = undefined;
      stdout = '';
      stderr = '';
    },
  };
}
