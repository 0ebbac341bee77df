import { useCallback, useEffect, useReducer, useRef } from 'react';

import { isCancelled, type ApiClient } from '../../api/client';
import { ApiError, isReceiptRefusal, type ApiProblem } from '../../api/errors';
import { runOverHttp } from '../../api/httpFallback';
import { LiveRunCancelled, StoppedBeforeStart, StreamUnavailable, type LiveRun, type LiveRunRequest } from '../../api/stream';
import type { Submission, Visibility } from '../../api/types';
import { loadSavedRun } from '../permalink/savedRun';
import { createOutputBuffer, type OutputBuffer } from './outputBuffer';
import { initialRunState, runReducer, type BeginAction, type LiveAction, type ResultView, type RunnerState } from './runState';
import { planShare, shareRequests, type FinishedRun } from './share';

/** A shared (or already saved) run: its permalink id, and the code and stdin box it came from. */
export interface Shared {
  id: string;
  code: string;
  stdin: string;
}

export interface Runner extends RunnerState {
  run: (code: string, stdin: string) => Promise<void>;
  /** Ends the live run (Stop); with the HTTP fallback, stops waiting for it. */
  stop: () => void;
  /** Sends a line (plus "\n") to the live run's stdin and echoes it in the output; false when not live. */
  sendLine: (line: string) => boolean;
  /** Closes the live run's stdin: its next input() raises EOFError. */
  closeInput: () => void;
  /**
   * Shares the run in view when it is a finished run of this code and stdin (no new run);
   * otherwise runs them first, live as `run` does, and shares whatever the result is. Null when
   * nothing was shared (the problem says why, or the run was stopped before it started or replaced).
   * `visibility` (default unlisted): who may read it; private needs a signed-in tab.
   */
  share: (code: string, stdin: string, visibility?: Visibility) => Promise<Shared | null>;
  load: (id: string) => Promise<Submission | null>;
  /** The saved run `id` was deleted: if it is in view, Share no longer shows its permalink. */
  forget: (id: string) => void;
}

function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiError) return err.problem;
  return { kind: 'network', detail: err instanceof Error ? err.message : String(err) };
}

/** The current run's handles: its socket (null with the HTTP fallback) and output buffer. */
interface Session {
  live: LiveRun | null;
  buffer: OutputBuffer;
  controller: AbortController;
  stopWanted: boolean;
  /** Every chunk sent to the program's stdin while it ran, in order (the share needs them all). */
  typed: string[];
}

/**
 * Runs, shares and loads, one at a time: a new one cancels the one in flight. A run goes over the
 * WebSocket stream (live output, stdin, Stop) and falls back to POST /execute when the stream
 * cannot carry it.
 */
export function useRunner(api: ApiClient): Runner {
  const [state, dispatch] = useReducer(runReducer, initialRunState);
  const inflight = useRef<AbortController | null>(null);
  const session = useRef<Session | null>(null);
  // The view as last rendered: Share decides on what the person sees.
  const shownView = useRef<ResultView | null>(null);
  shownView.current = state.view;

  useEffect(() => () => inflight.current?.abort(), []);

  /** Begins a run, share or load: the one in flight is cancelled, and its late news ignored. */
  const start = useCallback((action: BeginAction): AbortController => {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    dispatch(action);
    return controller;
  }, []);

  const fail = useCallback((err: unknown, signal: AbortSignal) => {
    if (isCancelled(err) || signal.aborted) return;
    dispatch({ type: 'failed', problem: toProblem(err), at: Date.now() });
  }, []);

  /** News of the live run, unless a newer run, share or load replaced it. */
  const update = useCallback((signal: AbortSignal, action: LiveAction) => {
    if (!signal.aborted) dispatch(action);
  }, []);

  /** Shows the run's result, unless a newer run, share or load replaced it. */
  const finish = useCallback((signal: AbortSignal, run: FinishedRun): FinishedRun | null => {
    if (signal.aborted) return null;
    dispatch({ type: 'finished', run });
    return run;
  }, []);

  const fallBack = useCallback(
    async (request: LiveRunRequest, signal: AbortSignal): Promise<FinishedRun | null> => {
      update(signal, { type: 'fellBackToHttp', at: Date.now() });
      try {
        const result = await runOverHttp(api, request, signal);
        return finish(signal, { result, origin: { code: request.code, stdin: request.stdin ?? '', typed: [] } });
      } catch (err) {
        fail(err, signal);
        return null;
      }
    },
    [api, update, finish, fail],
  );

  /** Runs the code (live, or over HTTP) and shows the result; the finished run, or null when there is none. */
  const execute = useCallback(
    async (code: string, stdin: string, sharing: boolean): Promise<FinishedRun | null> => {
      const controller = start({ type: 'runBegan', stdin, sharing });
      const { signal } = controller;
      const request: LiveRunRequest = { code, stdin };
      const buffer = createOutputBuffer((stdout, stderr) => update(signal, { type: 'output', stdout, stderr }));
      const current: Session = { live: null, buffer, controller, stopWanted: false, typed: [] };
      session.current = current;
      const live = api.live(request, {
        onQueued: (position, reason) => update(signal, { type: 'queued', queue: { position, reason } }),
        onStarted: () => {
          // Text in the stdin box is all the input: end of file after it, as over HTTP.
          if (stdin !== '') current.live?.closeStdin();
          update(signal, { type: 'started', at: Date.now() });
        },
        onOutput: (stream, data) => buffer.push(stream, data),
        onWaiting: (waiting) => {
          // The prompt written before the read shows with the waiting, not 16 ms after it.
          buffer.flush();
          update(signal, { type: 'waitingForInput', waiting });
        },
      });
      current.live = live;
      signal.addEventListener('abort', () => {
        live.cancel();
        buffer.dispose();
      });
      try {
        const result = await live.done;
        buffer.flush();
        return finish(signal, { result, origin: { code, stdin, typed: [...current.typed] } });
      } catch (err) {
        buffer.flush();
        if (signal.aborted || err instanceof LiveRunCancelled) return null;
        // Stopped while it waited for its turn: it left the line, nothing ran.
        if (err instanceof StoppedBeforeStart) {
          dispatch({ type: 'cancelled' });
          return null;
        }
        if (!(err instanceof StreamUnavailable)) {
          fail(err, signal);
          return null;
        }
        current.live = null;
        // Stopped before the server started it: nothing ran, nothing to fall back to.
        if (current.stopWanted) {
          dispatch({ type: 'cancelled' });
          return null;
        }
        // The stream is not there (an old server, a proxy without WebSockets): plain HTTP, quietly.
        return await fallBack(request, signal);
      } finally {
        if (session.current === current) session.current = null;
      }
    },
    [api, start, update, finish, fail, fallBack],
  );

  const run = useCallback(
    async (code: string, stdin: string) => {
      await execute(code, stdin, false);
    },
    [execute],
  );

  const stop = useCallback(() => {
    const current = session.current;
    if (!current || current.controller.signal.aborted || current.stopWanted) return;
    current.stopWanted = true;
    if (current.live) {
      current.live.stop();
      update(current.controller.signal, { type: 'stopAsked' });
      return;
    }
    // The HTTP fallback cannot stop the program: stop waiting for it (the server ends it at its limit).
    dispatch({ type: 'cancelled' });
    current.controller.abort();
  }, [update]);

  const sendLine = useCallback(
    (line: string) => {
      const current = session.current;
      const data = `${line}\n`;
      if (!current?.live || !current.live.sendStdin(data)) return false;
      current.typed.push(data);
      // Output that arrived before the line goes before its echo.
      current.buffer.flush();
      update(current.controller.signal, { type: 'lineSent', line });
      return true;
    },
    [update],
  );

  const closeInput = useCallback(() => {
    const current = session.current;
    if (!current?.live || !current.live.closeStdin()) return;
    update(current.controller.signal, { type: 'inputClosed' });
  }, [update]);

  /** Sends a finished run to POST /shares; on success the view (still showing it) gets its id. */
  const send = useCallback(
    async (run: FinishedRun, visibility: Visibility): Promise<Shared | null> => {
      const { signal } = start({ type: 'shareBegan' });
      if (!run.result.receipt) {
        fail(new ApiError({ kind: 'no-receipt', detail: 'The result has no receipt.' }), signal);
        return null;
      }
      const requests = shareRequests(run, visibility);
      for (const [attempt, request] of requests.entries()) {
        try {
          const { id } = await api.share(request, signal);
          if (signal.aborted) return null;
          dispatch({ type: 'shared', result: run.result, id, visibility });
          return { id, code: run.origin.code, stdin: run.origin.stdin };
        } catch (err) {
          const refused = err instanceof ApiError && isReceiptRefusal(err.problem);
          // A refused receipt may only lack a typed line that arrived after the run ended: try without it.
          if (refused && attempt < requests.length - 1 && !signal.aborted) continue;
          if (refused && !signal.aborted) dispatch({ type: 'receiptRefused', result: run.result });
          fail(err, signal);
          return null;
        }
      }
      return null;
    },
    [api, start, fail],
  );

  const share = useCallback(
    async (code: string, stdin: string, visibility: Visibility = 'unlisted'): Promise<Shared | null> => {
      const plan = planShare(shownView.current, code, stdin, visibility);
      if (plan.kind === 'show') return { id: plan.id, code, stdin };
      const run = plan.kind === 'share' ? plan.run : await execute(code, stdin, true);
      return run ? send(run, visibility) : null;
    },
    [execute, send],
  );

  const load = useCallback(
    async (id: string) => {
      const { signal } = start({ type: 'loadBegan' });
      try {
        const saved = await loadSavedRun(api, id, signal);
        if (!saved) return null;
        dispatch({ type: 'loaded', ...saved });
        return saved.submission;
      } catch (err) {
        fail(err, signal);
        return null;
      }
    },
    [api, start, fail],
  );

  const forget = useCallback((id: string) => dispatch({ type: 'deleted', id }), []);

  return { ...state, run, stop, sendLine, closeInput, share, load, forget };
}
