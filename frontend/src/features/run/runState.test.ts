import { describe, expect, it } from 'vitest';

import type { ApiProblem } from '../../api/errors';
import { liveView, result, submission } from '../../test/fixtures';
import { initialRunState, runReducer, type LiveAction, type ResultView, type RunAction, type RunnerState } from './runState';
import type { FinishedRun } from './share';

/** The state after each action in turn, from nothing in view. */
const after = (...actions: RunAction[]): RunnerState => actions.reduce(runReducer, initialRunState);

const shownRun = (overrides: Partial<ResultView> = {}): ResultView => ({
  result: result({ stdout: 'before\n', receipt: 'r' }),
  origin: { code: 'print("before")', stdin: '', typed: [] },
  source: 'run',
  savedId: null,
  ...overrides,
});

const running = (overrides: Partial<RunnerState> = {}): RunnerState => ({
  ...initialRunState,
  busy: 'run',
  live: liveView(),
  ...overrides,
});

const finishedRun = (overrides: Partial<FinishedRun> = {}): FinishedRun => ({
  result: result({ stdout: 'Ada\n', receipt: 'r' }),
  origin: { code: 'print(input())', stdin: '', typed: ['Ada\n'] },
  ...overrides,
});

const rateLimited: ApiProblem = { kind: 'rate-limited', detail: 'x', retryAfterS: 30, limit: null };
const disconnected: ApiProblem = { kind: 'disconnected', detail: 'x' };

describe('runReducer, beginnings', () => {
  it('begins a run connecting, keeping the last result in view and clearing the last problem', () => {
    const before = { ...initialRunState, view: shownRun(), problem: { problem: rateLimited, at: 1 } };
    const state = runReducer(before, { type: 'runBegan', stdin: '', sharing: false });
    expect(state).toMatchObject({ busy: 'run', problem: null, sharing: false, view: before.view });
    expect(state.live).toEqual(liveView({ phase: 'connecting' }));
  });

  it('keeps stdin open for typed lines when the box is empty, and closed when its text is the whole input', () => {
    expect(after({ type: 'runBegan', stdin: '', sharing: false }).live).toMatchObject({ input: 'typed', stdinOpen: true });
    expect(after({ type: 'runBegan', stdin: '4\n', sharing: true })).toMatchObject({
      sharing: true,
      live: { input: 'given', stdinOpen: false },
    });
  });

  it('begins a share or a load with no live run; only a share is under way as sharing', () => {
    const before = running({ view: shownRun() });
    expect(runReducer(before, { type: 'shareBegan' })).toMatchObject({ busy: 'share', live: null, sharing: true, view: before.view });
    expect(runReducer(before, { type: 'loadBegan' })).toMatchObject({ busy: 'load', live: null, sharing: false, view: before.view });
  });
});

describe('runReducer, the live run', () => {
  it('shows its place in the line, then starts its clock when it runs', () => {
    const queued = runReducer(running({ live: liveView({ phase: 'connecting' }) }), {
      type: 'queued',
      queue: { position: 2, reason: 'server_full' },
    });
    expect(queued.live).toMatchObject({ phase: 'queued', queue: { position: 2, reason: 'server_full' }, runningSince: null });
    expect(runReducer(queued, { type: 'started', at: 1_000 }).live).toMatchObject({ phase: 'running', queue: null, runningSince: 1_000 });
  });

  it('goes over HTTP, running from the request on', () => {
    const state = runReducer(running({ live: liveView({ phase: 'connecting' }) }), { type: 'fellBackToHttp', at: 2_000 });
    expect(state.live).toMatchObject({ transport: 'http', phase: 'running', runningSince: 2_000 });
  });

  it('appends output, and echoes typed lines between it', () => {
    let state = runReducer(running(), { type: 'output', stdout: 'Name? ', stderr: '' });
    state = runReducer(state, { type: 'lineSent', line: 'Ada' });
    state = runReducer(state, { type: 'output', stdout: 'Hi Ada\n', stderr: 'careful\n' });
    expect(state.live).toMatchObject({
      stdout: [
        { kind: 'out', text: 'Name? ' },
        { kind: 'in', text: 'Ada\n' },
        { kind: 'out', text: 'Hi Ada\n' },
      ],
      stderr: 'careful\n',
    });
  });

  it('says when the program waits for input, and changes nothing when it already said so', () => {
    const waiting = runReducer(running(), { type: 'waitingForInput', waiting: true });
    expect(waiting.live?.waiting).toBe(true);
    expect(runReducer(waiting, { type: 'waitingForInput', waiting: true })).toBe(waiting);
    expect(runReducer(waiting, { type: 'waitingForInput', waiting: false }).live?.waiting).toBe(false);
  });

  it('closes the input: no longer waiting, the next read gets end of file', () => {
    const state = runReducer(running({ live: liveView({ waiting: true }) }), { type: 'inputClosed' });
    expect(state.live).toMatchObject({ stdinOpen: false, waiting: false });
  });

  it('marks the run as stopping once Stop is sent', () => {
    expect(runReducer(running(), { type: 'stopAsked' }).live?.stopping).toBe(true);
  });

  it.each<LiveAction>([
    { type: 'queued', queue: { position: 0, reason: null } },
    { type: 'started', at: 1 },
    { type: 'fellBackToHttp', at: 1 },
    { type: 'output', stdout: 'late\n', stderr: '' },
    { type: 'lineSent', line: 'late' },
    { type: 'waitingForInput', waiting: true },
    { type: 'inputClosed' },
    { type: 'stopAsked' },
  ])('ignores $type when no run is live', (action) => {
    const before = { ...initialRunState, view: shownRun() };
    expect(runReducer(before, action)).toBe(before);
  });
});

describe('runReducer, the end of a run', () => {
  it('shows the result, with the transcript of the lines typed into it', () => {
    const live = liveView({
      stdout: [
        { kind: 'in', text: 'Ada\n' },
        { kind: 'out', text: 'Ada\n' },
      ],
    });
    const run = finishedRun();
    const state = runReducer(running({ live }), { type: 'finished', run });
    expect(state).toEqual({
      busy: null,
      problem: null,
      live: null,
      sharing: false,
      view: { result: run.result, origin: run.origin, source: 'run', savedId: null, transcript: live.stdout },
    });
  });

  it('keeps a Share under way when the run it needed finishes', () => {
    expect(runReducer(running({ sharing: true }), { type: 'finished', run: finishedRun() }).sharing).toBe(true);
  });

  it('shows a result with no live run before it (none to transcribe)', () => {
    const state = runReducer(initialRunState, { type: 'finished', run: finishedRun() });
    expect(state.view).toMatchObject({ source: 'run', transcript: undefined });
  });

  it('cancels a run stopped before its result: nothing in view but that', () => {
    const before = running({ view: shownRun(), sharing: true, live: liveView({ phase: 'queued', queue: { position: 1, reason: null } }) });
    expect(runReducer(before, { type: 'cancelled' })).toEqual({
      busy: null,
      view: null,
      problem: null,
      sharing: false,
      live: liveView({ phase: 'over', queue: null, cancelled: true }),
    });
    expect(runReducer(initialRunState, { type: 'cancelled' }).live).toBeNull();
  });
});

describe('runReducer, failures', () => {
  it('keeps the last result under a refusal of a run that never started, and says it was a run', () => {
    const state = runReducer(running({ view: shownRun() }), { type: 'failed', problem: rateLimited, at: 5 });
    expect(state).toMatchObject({ busy: null, live: null, sharing: false, problem: { problem: rateLimited, at: 5, action: 'run' } });
    expect(state.view).toEqual(shownRun());
  });

  it('clears the last result when the run broke, but keeps the output it printed', () => {
    const live = liveView({ stdout: [{ kind: 'out', text: 'partial\n' }] });
    const state = runReducer(running({ view: shownRun(), live }), { type: 'failed', problem: disconnected, at: 5 });
    expect(state.view).toBeNull();
    expect(state.live).toEqual({ ...live, phase: 'over' });
    expect(runReducer(running({ view: shownRun() }), { type: 'failed', problem: disconnected, at: 5 }).live).toBeNull();
  });

  it('keeps the run a share failed to save, whatever the failure', () => {
    const before = runReducer({ ...initialRunState, view: shownRun() }, { type: 'shareBegan' });
    const state = runReducer(before, { type: 'failed', problem: disconnected, at: 5 });
    expect(state).toMatchObject({ view: shownRun(), sharing: false, problem: { action: 'share' } });
  });

  it('clears the view when a load fails, refused or not', () => {
    const before = runReducer({ ...initialRunState, view: shownRun() }, { type: 'loadBegan' });
    expect(runReducer(before, { type: 'failed', problem: rateLimited, at: 5 })).toMatchObject({ view: null, problem: { action: 'load' } });
  });

  it('words a failure with nothing under way as a run’s', () => {
    expect(after({ type: 'failed', problem: disconnected, at: 5 }).problem?.action).toBe('run');
  });
});

describe('runReducer, shares and permalinks', () => {
  it('gives the run in view its permalink id and visibility once shared', () => {
    const view = shownRun();
    const state = runReducer(runReducer({ ...initialRunState, view }, { type: 'shareBegan' }), {
      type: 'shared',
      result: view.result,
      id: 'xyz',
      visibility: 'private',
    });
    expect(state).toEqual({
      busy: null,
      problem: null,
      live: null,
      sharing: false,
      view: { ...view, savedId: 'xyz', visibility: 'private' },
    });
  });

  it('leaves another result in view as it is when a share ends', () => {
    const view = shownRun();
    expect(runReducer({ ...initialRunState, view }, { type: 'shared', result: result(), id: 'xyz', visibility: 'unlisted' }).view).toBe(
      view,
    );
    expect(runReducer({ ...initialRunState, view }, { type: 'receiptRefused', result: result() }).view).toBe(view);
  });

  it('forgets what the run in view was given once its receipt is refused: the next Share runs anew', () => {
    const view = shownRun();
    const state = runReducer({ ...initialRunState, busy: 'share', sharing: true, view }, { type: 'receiptRefused', result: view.result });
    expect(state).toMatchObject({ busy: 'share', sharing: true, view: { ...view, origin: null } });
  });

  it('shows a saved run opened by its permalink, as shared already', () => {
    const saved = submission({ id: 'abc123', code: 'print(input())', stdin: 'in' });
    const state = runReducer(runReducer(running({ problem: { problem: disconnected, at: 1 } }), { type: 'loadBegan' }), {
      type: 'loaded',
      submission: saved,
      result: result(),
    });
    expect(state).toEqual({
      busy: null,
      problem: null,
      live: null,
      sharing: false,
      view: {
        result: result(),
        source: 'permalink',
        savedId: 'abc123',
        visibility: 'unlisted',
        createdAt: saved.created_at,
        origin: { code: 'print(input())', stdin: 'in', typed: [] },
      },
    });
  });

  it('forgets the permalink of the run in view once that saved run is deleted, and nothing else', () => {
    const saved = submission({ id: 'abc123', code: 'print(1)', stdin: '' });
    const state = runReducer(initialRunState, { type: 'loaded', submission: saved, result: result() });
    expect(runReducer(state, { type: 'deleted', id: 'other' })).toBe(state);
    expect(runReducer(state, { type: 'deleted', id: 'abc123' }).view).toEqual({
      result: result(),
      source: 'permalink',
      savedId: null,
      origin: { code: 'print(1)', stdin: '', typed: [] },
    });
    expect(runReducer(initialRunState, { type: 'deleted', id: 'abc123' })).toBe(initialRunState);
  });
});
