import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createOutputBuffer } from './outputBuffer';

describe('createOutputBuffer', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('hands over many messages at once, at most once per interval', () => {
    const apply = vi.fn();
    const buffer = createOutputBuffer(apply, 16);
    for (let i = 0; i < 100; i += 1) buffer.push('stdout', `${i}\n`);
    buffer.push('stderr', 'e');
    expect(apply).not.toHaveBeenCalled();
    vi.advanceTimersByTime(16);
    expect(apply).toHaveBeenCalledTimes(1);
    expect(apply.mock.calls[0]?.[0]).toMatch(/^0\n1\n.*99\n$/s);
    expect(apply.mock.calls[0]?.[1]).toBe('e');
  });

  it('flushes on demand and forgets what is pending when disposed', () => {
    const apply = vi.fn();
    const buffer = createOutputBuffer(apply, 16);
    buffer.push('stdout', 'now');
    buffer.flush();
    expect(apply).toHaveBeenCalledWith('now', '');
    buffer.flush();
    expect(apply).toHaveBeenCalledTimes(1);
    buffer.push('stdout', 'never');
    buffer.dispose();
    vi.advanceTimersByTime(100);
    expect(apply).toHaveBeenCalledTimes(1);
  });
});
