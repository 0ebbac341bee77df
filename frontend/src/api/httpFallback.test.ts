import { describe, expect, it, vi } from 'vitest';

import { result } from '../test/fixtures';
import { runOverHttp } from './httpFallback';

describe('runOverHttp', () => {
  it('sends the live run’s request to POST /execute, refused at once rather than queued when the server is busy', async () => {
    const execute = vi.fn().mockResolvedValue(result({ stdout: 'over http\n' }));
    const { signal } = new AbortController();
    await expect(runOverHttp({ execute }, { code: 'print(input())', stdin: 'in' }, signal)).resolves.toMatchObject({
      stdout: 'over http\n',
    });
    expect(execute).toHaveBeenCalledWith({ code: 'print(input())', stdin: 'in', wait: false }, signal);
  });
});
