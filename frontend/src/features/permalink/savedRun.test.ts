import { afterEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from '../../api/errors';
import { finishedResult } from '../../api/types';
import { submission } from '../../test/fixtures';
import { loadSavedRun } from './savedRun';

const pending = submission({ status: 'queued', stdout: null, stderr: null, truncated: null, wall_ms: null, cpu_ms: null, memory_kb: null });

afterEach(() => vi.useRealTimers());

describe('loadSavedRun', () => {
  it('gives a finished submission and its verdict at once', async () => {
    const saved = submission({ stdout: 'saved\n' });
    const api = { submission: vi.fn().mockResolvedValue(saved) };
    await expect(loadSavedRun(api, 'abc123', new AbortController().signal)).resolves.toEqual({
      submission: saved,
      result: finishedResult(saved),
    });
    expect(api.submission).toHaveBeenCalledWith('abc123', expect.any(AbortSignal));
  });

  it('asks again every 500 ms while an asynchronous submission is queued or running', async () => {
    vi.useFakeTimers();
    const done = submission();
    const api = {
      submission: vi
        .fn()
        .mockResolvedValueOnce(pending)
        .mockResolvedValueOnce({ ...pending, status: 'running' })
        .mockResolvedValueOnce(done),
    };
    const loaded = loadSavedRun(api, 'abc123', new AbortController().signal);
    await vi.advanceTimersByTimeAsync(499);
    expect(api.submission).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(api.submission).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(500);
    await expect(loaded).resolves.toMatchObject({ submission: done });
    expect(api.submission).toHaveBeenCalledTimes(3);
  });

  it('gives nothing once aborted, and stops asking', async () => {
    vi.useFakeTimers();
    const controller = new AbortController();
    const api = { submission: vi.fn().mockResolvedValue(pending) };
    const loaded = loadSavedRun(api, 'abc123', controller.signal);
    await vi.advanceTimersByTimeAsync(0);
    controller.abort();
    await vi.advanceTimersByTimeAsync(500);
    await expect(loaded).resolves.toBeNull();
    await vi.advanceTimersByTimeAsync(2_000);
    expect(api.submission).toHaveBeenCalledTimes(2);
  });

  it('fails as the request fails', async () => {
    const missing = new ApiError({ kind: 'not-found', detail: 'No such submission.' });
    const api = { submission: vi.fn().mockRejectedValue(missing) };
    await expect(loadSavedRun(api, 'missing', new AbortController().signal)).rejects.toBe(missing);
  });
});
