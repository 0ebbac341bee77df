import { useCallback, useEffect, useRef, useState } from 'react';

import { isCancelled, type ApiClient } from '../../api/client';
import { ApiError, isReceiptRefusal, type ApiProblem, type ProblemAction } from '../../api/errors';
import {
  LiveRunCancelled,
  StoppedBeforeStart,
  StreamUnavailable,
  type LiveRun,
  type LiveRunRequest,
  type QueueReason,
} from '../../api/stream';
import { finishedResult, type Submission } from '../../api/types';
import { createOutputBuffer, type OutputBuffer } from './outputBuffer';
import { planShare, shareRequests, type FinishedRun, type ShareableView } from './share';
import { appendSegment, finalTranscript, type Segment } from './transcript';

const PENDING_POLL_MS = 500;

/** `share`: a finished run is being sent to POST /shares (a Share that had to run first is `run` until then). */
export type Busy = 'run' | 'share' | 'load' | null;

/** What the output panel shows: the last result (of a run, or of a permalink). */
export interface ResultView extends ShareableView {
  source: 'run' | 'permalink';
  /** A permalink's id, or a run's once it is shared (null until then). */
  savedId: string | null;
  createdAt?: string;
  /** A live run's stdout with the lines the person typed in place (only when they typed some). */
  transcript?: Segment[];
}

export interface ProblemView {
  problem: ApiProblem;
  /** When the problem arrived (epoch ms): the base of the Retry-After countdown. */
  at: number;
  /** What failed (default: a run): a share's refusals are worded for it. */
  action?: ProblemAction;
}

/** Where a run that waits for its turn is in the server's line, as the stream last said. */
export interface QueueView {
  /** How many runs start before this one (0: it is next). */
  position: number;
  /** Every sandbox is busy (`server_full`), or this client's other runs hold its share (`client_share`); null: unknown. */
  reason: QueueReason | null;
}

/** The run in progress (or the one that just ended without a result): its output so far. */
export interface LiveView {
  /** `stream`: the WebSocket carries it (live output, input, Stop); `http`: the fallback, one request. */
  transport: 'stream' | 'http';
  /**
   * `connecting` until the server accepts the run, `queued` while it waits for its turn, `running`
   * while it runs, `over` once it ended without a result.
   */
  phase: 'connecting' | 'queued' | 'running' | 'over';
  /** While `queued`: its place in the line (null otherwise). */
  queue: QueueView | null;
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
  /** The program is blocked reading its stdin, as the stream last said (the result ends it). */
  waiting: boolean;
  /** When the run started running (epoch ms; the stream's `started`, or the HTTP request): null before. */
  runningSince: number | null;
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
  /** A Share is under way: running the code first (busy `run`), or sending the run (busy `share`). */
  sharing: boolean;
}

/** A shared (or already saved) run: its permalink id, and the code and stdin box it came from. */
export interface Shared {
  id: string;
  code: string;
  stdin: string;
}

/** A run stopped before it had a result: nothing to show but that it was cancelled. */
function cancelled(s: RunnerState): RunnerState {
  return {
    busy: null,
    view: null,
    problem: null,
    live: s.live ? { ...s.live, phase: 'over', queue: null, cancelled: true } : null,
    sharing: false,
  };
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
   */
  share: (code: string, stdin: string) => Promise<Shared | null>;
  load: (id: string) => Promise<Submission | null>;
}

function toProblem(err: unknown): ApiProblem {
  if (err instanceof ApiError) return err.problem;
  return { kind: 'network', detail: err instanceof Error ? err.message : String(err) };
}

/**
 * Whether a failure leaves the last result in view, under the banner: a run the rate limit or a
 * full (or unavailable) server refused never started, so nothing replaced it; a share that failed
 * keeps the run it tried to share, whatever the failure. A failed load clears it: the editor then
 * shows the draft, not the program that result came from.
 */
function keepsLastResult(busy: Busy, problem: ApiProblem): boolean {
  if (busy === 'share') return true;
  return (problem.kind === 'rate-limited' || problem.kind === 'client-share' || problem.kind === 'unavailable') && busy !== 'load';
}

function newLive(stdin: string): LiveView {
  const input = stdin === '' ? 'typed' : 'given';
  return {
    transport: 'stream',
    phase: 'connecting',
    queue: null,
    stdout: [],
    stderr: '',
    input,
    stdinOpen: input === 'typed',
    waiting: false,
    runningSince: null,
    stopping: false,
    cancelled: false,
  };
}

/** Whether a live run has printed anything yet. */
export const hasLiveOutput = (live: LiveView): boolean => live.stdout.length > 0 || live.stderr !== '';

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
  const [state, setState] = useState<RunnerState>({ busy: null, view: null, problem: null, live: null, sharing: false });
  const inflight = useRef<AbortController | null>(null);
  const session = useRef<Session | null>(null);
  // The view as last rendered: Share decides on what the person sees.
  const shownView = useRef<ResultView | null>(null);
  shownView.current = state.view;

  useEffect(() => () => inflight.current?.abort(), []);

  const start = useCallback((busy: Exclude<Busy, null>, live: LiveView | null = null, sharing = false): AbortController => {
    inflight.current?.abort();
    const controller = new AbortController();
    inflight.current = controller;
    setState((s) => ({ ...s, busy, problem: null, live, sharing }));
    return controller;
  }, []);

  const fail = useCallback((err: unknown, signal: AbortSignal) => {
    if (isCancelled(err) || signal.aborted) return;
    const problem = toProblem(err);
    // Output a live run printed before the connection broke stays in view, under the banner.
    setState((s) => ({
      busy: null,
      view: keepsLastResult(s.busy, problem) ? s.view : null,
      problem: { problem, at: Date.now(), action: s.busy ?? 'run' },
      live: s.live && hasLiveOutput(s.live) ? { ...s.live, phase: 'over' } : null,
      sharing: false,
    }));
  }, []);

  const setLive = useCallback((signal: AbortSignal, update: (live: LiveView) => LiveView) => {
    if (signal.aborted) return;
    setState((s) => {
      if (!s.live) return s;
      const live = update(s.live);
      return live === s.live ? s : { ...s, live };
    });
  }, []);

  /** Shows the run's result; a Share that ran it stays under way (`sharing`) for the share to follow. */
  const finish = useCallback((signal: AbortSignal, run: FinishedRun): FinishedRun | null => {
    if (signal.aborted) return null;
    const { result, origin } = run;
    setState((s) => ({
      busy: null,
      problem: null,
      live: null,
      sharing: s.sharing,
      view: {
        result,
        origin,
        source: 'run',
        savedId: null,
        transcript: s.live ? finalTranscript(s.live.stdout, result.stdout) : undefined,
      },
    }));
    return run;
  }, []);

  const runOverHttp = useCallback(
    async (request: LiveRunRequest, signal: AbortSignal): Promise<FinishedRun | null> => {
      setLive(signal, (l) => ({ ...l, transport: 'http', phase: 'running', runningSince: Date.now() }));
      try {
        // Over HTTP the page would not learn that the run waits for its turn (no `queued`): a busy
        // server's refusal, said at once, beats a long silent request that looks like a slow run.
        const result = await api.execute({ ...request, wait: false }, signal);
        return finish(signal, { result, origin: { code: request.code, stdin: request.stdin ?? '', typed: [] } });
      } catch (err) {
        fail(err, signal);
        return null;
      }
    },
    [api, setLive, finish, fail],
  );

  /** Runs the code (live, or over HTTP) and shows the result; the finished run, or null when there is none. */
  const execute = useCallback(
    async (code: string, stdin: string, sharing: boolean): Promise<FinishedRun | null> => {
      const controller = start('run', newLive(stdin), sharing);
      const { signal } = controller;
      const request: LiveRunRequest = { code, stdin };
      const buffer = createOutputBuffer((out, err) =>
        setLive(signal, (l) => ({ ...l, stdout: appendSegment(l.stdout, 'out', out), stderr: l.stderr + err })),
      );
      const current: Session = { live: null, buffer, controller, stopWanted: false, typed: [] };
      session.current = current;
      const live = api.live(request, {
        onQueued: (position, reason) => {
          setLive(signal, (l) => ({ ...l, phase: 'queued', queue: { position, reason } }));
        },
        onStarted: () => {
          // Text in the stdin box is all the input: end of file after it, as over HTTP.
          if (stdin !== '') current.live?.closeStdin();
          // The clock starts now, not while the run waited for its turn.
          setLive(signal, (l) => ({ ...l, phase: 'running', queue: null, runningSince: Date.now() }));
        },
        onOutput: (stream, data) => buffer.push(stream, data),
        onWaiting: (waiting) => {
          // The prompt written before the read shows with the waiting, not 16 ms after it.
          buffer.flush();
          setLive(signal, (l) => (l.waiting === waiting ? l : { ...l, waiting }));
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
          setState(cancelled);
          return null;
        }
        if (!(err instanceof StreamUnavailable)) {
          fail(err, signal);
          return null;
        }
        current.live = null;
        // Stopped before the server started it: nothing ran, nothing to fall back to.
        if (current.stopWanted) {
          setState(cancelled);
          return null;
        }
        // The stream is not there (an old server, a proxy without WebSockets): plain HTTP, quietly.
        return await runOverHttp(request, signal);
      } finally {
        if (session.current === current) session.current = null;
      }
    },
    [api, start, setLive, finish, fail, runOverHttp],
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
      setLive(current.controller.signal, (l) => ({ ...l, stopping: true }));
      return;
    }
    // The HTTP fallback cannot stop the program: stop waiting for it (the server ends it at its limit).
    setState(cancelled);
    current.controller.abort();
  }, [setLive]);

  const sendLine = useCallback(
    (line: string) => {
      const current = session.current;
      const data = `${line}\n`;
      if (!current?.live || !current.live.sendStdin(data)) return false;
      current.typed.push(data);
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
    // Its next read gets end of file at once: nothing to wait for any more.
    setLive(current.controller.signal, (l) => ({ ...l, stdinOpen: false, waiting: false }));
  }, [setLive]);

  /** Sends a finished run to POST /shares; on success the view (still showing it) gets its id. */
  const send = useCallback(
    async (run: FinishedRun): Promise<Shared | null> => {
      const { signal } = start('share', null, true);
      if (!run.result.receipt) {
        fail(new ApiError({ kind: 'no-receipt', detail: 'The result has no receipt.' }), signal);
        return null;
      }
      const requests = shareRequests(run);
      for (const [attempt, request] of requests.entries()) {
        try {
          const { id } = await api.share(request, signal);
          if (signal.aborted) return null;
          setState((s) => ({
            busy: null,
            problem: null,
            live: null,
            sharing: false,
            view: s.view && s.view.result === run.result ? { ...s.view, savedId: id } : s.view,
          }));
          return { id, code: run.origin.code, stdin: run.origin.stdin };
        } catch (err) {
          const refused = err instanceof ApiError && isReceiptRefusal(err.problem);
          // A refused receipt may only lack a typed line that arrived after the run ended: try without it.
          if (refused && attempt < requests.length - 1 && !signal.aborted) continue;
          if (refused && !signal.aborted) {
            // The server will not take this run again: the next Share runs the code anew.
            setState((s) => ({ ...s, view: s.view && s.view.result === run.result ? { ...s.view, origin: null } : s.view }));
          }
          fail(err, signal);
          return null;
        }
      }
      return null;
    },
    [api, start, fail],
  );

  const share = useCallback(
    async (code: string, stdin: string): Promise<Shared | null> => {
      const plan = planShare(shownView.current, code, stdin);
      if (plan.kind === 'show') return { id: plan.id, code, stdin };
      const run = plan.kind === 'share' ? plan.run : await execute(code, stdin, true);
      return run ? send(run) : null;
    },
    [execute, send],
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
          sharing: false,
          view: {
            result,
            source: 'permalink',
            savedId: submission.id,
            createdAt: submission.created_at,
            origin: { code: submission.code, stdin: submission.stdin, typed: [] },
          },
        });
        return submission;
      } catch (err) {
        fail(err, signal);
        return null;
      }
    },
    [api, start, fail],
  );

  return { ...state, run, stop, sendLine, closeInput, share, load };
}
