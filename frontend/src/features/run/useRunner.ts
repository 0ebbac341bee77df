import { useCallback, useEffect, useRef, useState } from 'react';

import { isCancelled, type ApiClient } from '../../api/client';
import { ApiError, type ApiProblem } from '../../api/errors';
import { LiveRunCancelled, StreamUnavailable, type LiveRun } from '../../api/stream';
import { finishedResult, type ExecuteRequest, type ExecutionResult, type Submission } from '../../api/types';
import { createOutputBuffer, type OutputBuffer } from './outputBuffer';
import { appendSegment, finalTranscript, type Segment } from './transcript';

const PENDING_POLL_MS = 500;

export type Busy = 'run' | 'save' | 'load' | null;

/** What the output panel shows: the last result (of a run, a save or a permalink). */
export interface ResultView {
  result: ExecutionResult;
  source: 'run' | 'save' | 'permalink';
  /** For saves and permalinks: the submission id; null when a save was refused (failed run). */
  savedId: string | null;
  createdAt?: string;
  /** A live run's stdout with the lines the person typed in place (only when they typed some). */
  transcript?: Segment[];
}

export interface ProblemView {
  problem: ApiProblem;
  /** When the problem arrived (epoch ms): the base of the Retry-After countdown. */
  at: number;
}

/** The run in progress (or the one that just ended without a result): its output so far. */
export interface LiveView {
  /** `stream`: the WebSocket carries it (live output, input, Stop); `http`: the fallback, one request. */
  transport: 'stream' | 'http';
  /** `connecting` until the server accepts the run, `running` while it runs, `over` once it ended without a result. */
  phase: 'connecting' | 'running' | 'over';
  stdout: Segment[];
  stderr: string;
  /**
   * `typed`: the stdin box was empty, so the program's stdin stays open for lines typed while it
   * runs. `given`: the box's text is the whole input, closed once the run starts, as over HTTP
   * (so a run reads what a saved run of the same code and input reads).
   */
  input: 'typed' | 'given';
  /** Whether the program's stdin still takes lines (until the person closes it). */
  stdinOpen: boolean;
  /** Stop was asked for; the result is on its way. */
  stopping: boolean;
  /** The person stopped the run before the server could (HTTP fallback, or before it started). */
  cancelled: boolean;
}

export interface RunnerState {
  busy: Busy;
  view: ResultView | null;
  problem: ProblemView | null;
  live: LiveView | null;
}

export interface Runner extends RunnerState {
  run(code: string, stdin: string): Promise<void>;
  /** Ends the live run (Stop); with the HTTP fallback, stops waiting for it. */
  stop(): void;
  /** Sends a line (plus "\n") to the live run's stdin and echoes it in the output; false when not live. */
  sendLine(line: string): boolean;
  /** Closes the live run's stdin: its next input() raises EOFError. */
  closeInput(): void;
  save(code: string, stdin: string): Promise<{ id: string } | null>;
  load(id: string): Promise<Submission | null>;
}

function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiError) return err.problem;
  return { kind: 'network', detail: err instanceof Error ? err.message : String(err) };
}

/**
 * Whether a failure leaves the last result in view, under the banner: a run or save the rate limit
 * or a full (or unavailable) server refused never started, so nothing replaced it. A failed load clears it: the editor then shows
 * the draft, not the program that result came from.
 */
function keepsLastResult(busy: Busy, problem: ApiProblem): boolean {
  return (problem.kind === 'rate-limited' || problem.kind === 'unavailable') && busy !== 'load';
}

function newLive(stdin: string): LiveView {
  const input = stdin === '' ? 'typed' : 'given';
  return { transport: 'stream', phase: 'connecting', stdout: [], stderr: '', input, stdinOpen: input === 'typed', stopping: false, cancelled: false };
}

/** Whether a live run has printed anything yet. */
export const hasLiveOutput = (live: LiveView): boolean => live.stdout.length > 0 || live.stderr !== '';

/** The current run's handles: its socket (null with the HTTP fallback) and output buffer. */
interface Session {
  live: LiveRun | null;
  buffer: OutputBuffer;
  controller: AbortController;
  stopWanted: boolean;
}

/**
 * Runs, saves and loads, one at a time: a new one cancels the one in flight. A run goes over the
 * WebSocket stream (live output, stdin, Stop) and falls back to POST /execute when the stream
 * cannot carry it.
 */
export function useRunner(api: ApiClient): Runner {
  const [state, setState] = useState<RunnerState>({ busy: null, view: null, problem: null, live: null });
  const inflight = useRef<AbortController | null>(null);
  const session = useRef<Session | null>(null);

  useEffect(() => () => inflight.current?.abort(), []);

  const start = useCallback((busy: Exclude<Busy, null>, live: LiveView | null = null): AbortController => {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setState((s) => ({ ...s, busy, problem: null, live }));
    return controller;
  }, []);

  const fail = useCallback((err: unknown, signal: AbortSignal) => {
    if (isCancelled(err) || signal.aborted) return;
    const problem = toProblem(err);
    // Output a live run printed before the connection broke stays in view, under the banner.
    setState((s) => ({
      busy: null,
      view: keepsLastResult(s.busy, problem) ? s.view : null,
      problem: { problem, at: Date.now() },
      live: s.live && hasLiveOutput(s.live) ? { ...s.live, phase: 'over' } : null,
    }));
  }, []);

  const setLive = useCallback((signal: AbortSignal, update: (live: LiveView) => LiveView) => {
    if (signal.aborted) return;
    setState((s) => (s.live ? { ...s, live: update(s.live) } : s));
  }, []);

  const finish = useCallback((signal: AbortSignal, result: ExecutionResult) => {
    if (signal.aborted) return;
    setState((s) => ({
      busy: null,
      problem: null,
      live: null,
      view: { result, source: 'run', savedId: null, transcript: s.live ? finalTranscript(s.live.stdout, result.stdout) : undefined },
    }));
  }, []);

  const runOverHttp = useCallback(
    async (request: ExecuteRequest, signal: AbortSignal) => {
      setLive(signal, (l) => ({ ...l, transport: 'http', phase: 'running' }));
      try {
        finish(signal, await api.execute(request, signal));
      } catch (err) {
        fail(err, signal);
      }
    },
    [api, setLive, finish, fail],
  );

  const run = useCallback(
    async (code: string, stdin: string) => {
      const controller = start('run', newLive(stdin));
      const { signal } = controller;
      const request: ExecuteRequest = { code, stdin };
      const buffer = createOutputBuffer((out, err) =>
        setLive(signal, (l) => ({ ...l, stdout: appendSegment(l.stdout, 'out', out), stderr: l.stderr + err })),
      );
      const current: Session = { live: null, buffer, controller, stopWanted: false };
      session.current = current;
      const live = api.live(request, {
        onStarted: () => {
          // Text in the stdin box is all the input: end of file after it, as over HTTP.
          if (stdin !== '') current.live?.closeStdin();
          setLive(signal, (l) => ({ ...l, phase: 'running' }));
        },
        onOutput: (stream, data) => buffer.push(stream, data),
      });
      current.live = live;
      signal.addEventListener('abort', () => {
        live.cancel();
        buffer.dispose();
      });
      try {
        const result = await live.done;
        buffer.flush();
        finish(signal, result);
      } catch (err) {
        buffer.flush();
        if (signal.aborted || err instanceof LiveRunCancelled) return;
        if (!(err instanceof StreamUnavailable)) {
          fail(err, signal);
          return;
        }
        current.live = null;
        // Stopped before the server started it: nothing ran, nothing to fall back to.
        if (current.stopWanted) {
          setState((s) => ({ busy: null, view: null, problem: null, live: s.live ? { ...s.live, phase: 'over', cancelled: true } : null }));
          return;
        }
        // The stream is not there (an old server, a proxy without WebSockets): plain HTTP, quietly.
        await runOverHttp(request, signal);
      } finally {
        if (session.current === current) session.current = null;
      }
    },
    [api, start, setLive, finish, fail, runOverHttp],
  );

  const stop = useCallback(() => {
    const current = session.current;
    if (!current || current.controller.signal.aborted || current.stopWanted) return;
    current.stopWanted = true;
    if (current.live) {
      current.live.stop();
      setLive(current.controller.signal, (l) => ({ ...l, stopping: true }));
      return;
    }
    // The HTTP fallback cannot stop the program: stop waiting for it (the server ends it at its limit).
    setState((s) => ({ busy: null, view: null, problem: null, live: s.live ? { ...s.live, phase: 'over', cancelled: true } : null }));
    current.controller.abort();
  }, [setLive]);

  const sendLine = useCallback(
    (line: string) => {
      const current = session.current;
      if (!current?.live || !current.live.sendStdin(`${line}\n`)) return false;
      // Output that arrived before the line goes before its echo.
      current.buffer.flush();
      setLive(current.controller.signal, (l) => ({ ...l, stdout: appendSegment(l.stdout, 'in', `${line}\n`) }));
      return true;
    },
    [setLive],
  );

  const closeInput = useCallback(() => {
    const current = session.current;
    if (!current?.live || !current.live.closeStdin()) return;
    setLive(current.controller.signal, (l) => ({ ...l, stdinOpen: false }));
  }, [setLive]);

  const save = useCallback(
    async (code: string, stdin: string) => {
      const { signal } = start('save');
      try {
        const result = await api.submit({ code, stdin }, signal);
        if (signal.aborted) return null;
        const savedId = result.saved && result.id ? result.id : null;
        setState({ busy: null, problem: null, live: null, view: { result, source: 'save', savedId } });
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
      const { signal } = start('load');
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
          live: null,
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

  return { ...state, run, stop, sendLine, closeInput, save, load };
}
