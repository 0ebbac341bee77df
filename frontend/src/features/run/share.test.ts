import { describe, expect, it } from 'vitest';

import { result } from '../../test/fixtures';
import { givenStdin, planShare, shareRequests, type RunOrigin, type ShareableView } from './share';

const origin = (overrides: Partial<RunOrigin> = {}): RunOrigin => ({ code: 'print(1/0)', stdin: '', typed: [], ...overrides });
const view = (overrides: Partial<ShareableView> = {}): ShareableView => ({
  result: result({ status: 'runtime_error', receipt: 'r' }),
  savedId: null,
  origin: origin(),
  ...overrides,
});

describe('planShare', () => {
  it('runs first when nothing is in view', () => {
    expect(planShare(null, 'print(1/0)', '')).toEqual({ kind: 'run' });
  });

  it('shares the run in view, failing included, when it is of the code and stdin in the editor', () => {
    const shown = view();
    expect(planShare(shown, 'print(1/0)', '')).toEqual({ kind: 'share', run: { result: shown.result, origin: shown.origin } });
  });

  it.each([
    ['the code changed', 'print(2/0)', ''],
    ['the stdin box changed', 'print(1/0)', 'x'],
  ])('runs first when %s since the run', (_what, code, stdin) => {
    expect(planShare(view(), code, stdin)).toEqual({ kind: 'run' });
  });

  it('runs first when the run has no receipt, or the server refused it', () => {
    expect(planShare(view({ result: result({ receipt: null }) }), 'print(1/0)', '')).toEqual({ kind: 'run' });
    expect(planShare(view({ result: result() }), 'print(1/0)', '')).toEqual({ kind: 'run' });
    expect(planShare(view({ origin: null }), 'print(1/0)', '')).toEqual({ kind: 'run' });
  });

  it('shows the permalink of a run already saved (shared, or opened from its link), with no request', () => {
    expect(planShare(view({ savedId: 'abc' }), 'print(1/0)', '')).toEqual({ kind: 'show', id: 'abc' });
    expect(planShare(view({ savedId: 'abc' }), 'print(2/0)', '')).toEqual({ kind: 'run' });
  });

  it('saves a run again when it was saved with the other visibility', () => {
    const saved = view({ savedId: 'abc', visibility: 'unlisted' });
    expect(planShare(saved, 'print(1/0)', '', 'unlisted')).toEqual({ kind: 'show', id: 'abc' });
    expect(planShare(saved, 'print(1/0)', '', 'private')).toEqual({ kind: 'share', run: { result: saved.result, origin: saved.origin } });
    // Opened from its permalink (no receipt): run anew, to save that run privately.
    const opened = view({ savedId: 'abc', visibility: 'unlisted', result: result() });
    expect(planShare(opened, 'print(1/0)', '', 'private')).toEqual({ kind: 'run' });
  });

  it('compares the stdin box, not the lines typed into a live run', () => {
    expect(planShare(view({ origin: origin({ typed: ['Ada\n'] }) }), 'print(1/0)', '').kind).toBe('share');
  });
});

describe('the input a share sends', () => {
  it('is the box’s text followed by every chunk typed, in order', () => {
    expect(givenStdin(origin({ stdin: 'given\n', typed: [] }))).toBe('given\n');
    expect(givenStdin(origin({ typed: ['Ada\n', '\n', 'Bob Smith\n'] }))).toBe('Ada\n\nBob Smith\n');
  });

  it('is tried whole first, then without the last one or two typed chunks (sent as the run ended)', () => {
    const run = { result: result({ receipt: 'r' }), origin: origin({ typed: ['a\n', 'b\n', 'c\n'] }) };
    expect(shareRequests(run).map((r) => r.stdin)).toEqual(['a\nb\nc\n', 'a\nb\n', 'a\n']);
    const [first] = shareRequests(run);
    expect(first).toEqual({ code: 'print(1/0)', stdin: 'a\nb\nc\n', result: run.result, receipt: 'r', visibility: 'unlisted' });
  });

  it('asks for the visibility chosen', () => {
    const run = { result: result({ receipt: 'r' }), origin: origin() };
    expect(shareRequests(run, 'private').map((r) => r.visibility)).toEqual(['private']);
  });

  it('is one request when nothing was typed', () => {
    const run = { result: result({ receipt: 'r' }), origin: origin({ stdin: 'box' }) };
    expect(shareRequests(run).map((r) => r.stdin)).toEqual(['box']);
    expect(shareRequests({ ...run, origin: origin({ typed: ['only\n'] }) }).map((r) => r.stdin)).toEqual(['only\n', '']);
  });
});
