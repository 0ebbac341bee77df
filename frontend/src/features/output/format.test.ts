import { describe, expect, it } from 'vitest';

import { formatBytes, formatDuration, formatMemory } from './format';

describe('formatting', () => {
  it('formats durations', () => {
    expect(formatDuration(12.4)).toBe('12 ms');
    expect(formatDuration(1234)).toBe('1.23 s');
    expect(formatDuration(12_345)).toBe('12.3 s');
  });
  it('formats memory in KiB and MiB', () => {
    expect(formatMemory(512)).toBe('512 KiB');
    expect(formatMemory(46_285)).toBe('45.2 MiB');
  });
  it('formats byte sizes', () => {
    expect(formatBytes(65_536)).toBe('64 KiB');
    expect(formatBytes(2 * 1024 * 1024)).toBe('2 MiB');
  });
});
