import { describe, expect, it } from 'vitest';

import { submission } from '../test/fixtures';
import { finishedResult } from './types';

describe('finishedResult', () => {
  it('is null while an asynchronous submission is queued or running', () => {
    const pending = { stdout: null, stderr: null, truncated: null, wall_ms: null, cpu_ms: null, memory_kb: null };
    expect(finishedResult(submission({ status: 'queued', ...pending }))).toBeNull();
    expect(finishedResult(submission({ status: 'running', ...pending }))).toBeNull();
  });

  it('is the result fields of a finished one', () => {
    const result = finishedResult(submission({ status: 'runtime_error', stdout: 'partial\n', exit_code: 1 }));
    expect(result).toMatchObject({ status: 'runtime_error', stdout: 'partial\n', exit_code: 1 });
    expect(result).not.toHaveProperty('code');
  });
});
