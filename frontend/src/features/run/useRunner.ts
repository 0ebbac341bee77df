import { useCallback, useEffect, useRef, useState } from 'react';

import { isCancelled, type ApiClient } from '../../api/client';
import { ApiError, type ApiProblem } from '../../api/errors';
import { finishedResult, type ExecutionResult, type Submission } from '../../api/types';

const PENDING_POLL_MS = 500;

export type Busy = 'run' | 'save' | 'load' | null;

/** What the output panel shows: the last result (of a run, a save or a permalink). */
export interface ResultView {
  result: ExecutionResult;
  source: 'run' | 'save' | 'permalink';
  /** For saves and permalinks: the submission id; null when a save was refused (failed run). */
  savedId: string | null;
  createdAt?: string;
}

export interface ProblemView {
  problem: ApiProblem;
  /** When the problem arrived (epoch ms): the base of the Retry-After countdown. */
  at: number;
}

export interface RunnerState {
  busy: Busy;
  view: ResultView | null;
  problem: ProblemView | null;
}

export interface Runner extends RunnerState {
  run(code: string, stdin: string): Promise<void>;
  save(code: string, stdin: string): Promise<{ id: string } | null>;
  load(id: string): Promise<Submission | null>;
}

function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiError) return err.problem;
  return { kind: 'network', detail: err instanceof Error ? err.message : String(err) };
}

/** Runs, saves and loads, one request at a time: a new request cancels the one in flight. */
export function useRunner(api: ApiClient): Runner {
  const [state, setState] = useState<RunnerState>({ busy: null, view: null, problem: null });
  const inflight = useRef<AbortController | null>(null);

  useEffect(() => () => inflight.current?.abort(), []);

  const start = useCallback((busy: Exclude<Busy, null>): AbortSignal => {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setState((s) => ({ ...s, busy, problem: null }));
    return controller.signal;
  }, []);

  const fail = useCallback((err: unknown, signal: AbortSignal) => {
    if (isCancelled(err) || signal.aborted) return;
    setState({ busy: null, view: null, problem: { problem: toProblem(err), at: Date.now() } });
  }, []);

  const run = useCallback(
    async (code: string, stdin: string) => {
      const signal = start('run');
      try {
        const result = await api.execute({ code, stdin }, signal);
        if (signal.aborted) return;
        setState({ busy: null, problem: null, view: { result, source: 'run', savedId: null } });
      } catch (err) {
        fail(err, signal);
      }
    },
    [api, start, fail],
  );

  const save = useCallback(
    async (code: string, stdin: string) => {
      const signal = start('save');
      try {
        const result = await api.submit({ code, stdin }, signal);
        if (signal.aborted) return null;
        const savedId = result.saved && result.id ? result.id : null;
        setState({ busy: null, problem: null, view: { result, source: 'save', savedId } });
        return savedId ? { id: savedId } : null;
      } catch (err) {
        fail(err, signal);
        return null;
      }
    },
    [api, start, fail],
  );

  const load = useCallback(
    async (id: string) => {
      const signal = start('load');
      try {
        let submission = await api.submission(id, signal);
        // An asynchronous submission may still be queued or running: wait for its verdict.
        let result = finishedResult(submission);
        while (result === null && !signal.aborted) {
          await new Promise((resolve) => setTimeout(resolve, PENDING_POLL_MS));
          submission = await api.submission(id, signal);
          result = finishedResult(submission);
        }
        if (signal.aborted || result === null) return null;
        setState({
          busy: null,
          problem: null,
          view: { result, source: 'permalink', savedId: submission.id, createdAt: submission.created_at },
        });
        return submission;
      } catch (err) {
        fail(err, signal);
        return null;
      }
    },
    [api, start, fail],
  );

  return { ...state, run, save, load };
}
