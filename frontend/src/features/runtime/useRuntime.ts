import { useEffect, useState } from 'react';

import type { ApiClient } from '../../api/client';
import { ApiError, describeProblem } from '../../api/errors';
import type { RuntimeInfo } from '../../api/types';

export type RuntimeState = { kind: 'loading' } | { kind: 'ready'; info: RuntimeInfo } | { kind: 'failed'; message: string };

export function useRuntime(api: ApiClient): RuntimeState {
  const [state, setState] = useState<RuntimeState>({ kind: 'loading' });
  useEffect(() => {
    const controller = new AbortController();
    api.runtime(controller.signal).then(
      (info) => setState({ kind: 'ready', info }),
      (err: unknown) => {
        if (controller.signal.aborted) return;
        setState({ kind: 'failed', message: err instanceof ApiError ? describeProblem(err.problem) : 'Could not load the runtime.' });
      },
    );
    return () => controller.abort();
  }, [api]);
  return state;
}
