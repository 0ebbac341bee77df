import { describe, expect, it } from 'vitest';

import { result } from '../../test/fixtures';
import {
  formatByteLimit,
  formatBytes,
  formatDuration,
  formatElapsed,
  formatMebibytes,
  formatMemory,
  formatSeconds,
  limitSentence,
  resultSentence,
  STATUS_SENTENCES,
} from './format';

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
  it('formats limits as they are set, without rounding them away', () => {
    expect(formatSeconds(10)).toBe('10 s');
    expect(formatSeconds(2.5)).toBe('2.5 s');
    expect(formatSeconds(0.25)).toBe('0.25 s');
    expect(formatMebibytes(256)).toBe('256 MiB');
    expect(formatMebibytes(2048)).toBe('2 GiB');
    expect(formatMebibytes(1536)).toBe('1.5 GiB');
    expect(formatByteLimit(1_048_576)).toBe('1 MiB');
    expect(formatByteLimit(1_572_864)).toBe('1.5 MiB');
    expect(formatByteLimit(65_536)).toBe('64 KiB');
    expect(formatByteLimit(1000)).toBe('1000 B');
  });
  it('formats a running clock in tenths, never ahead of time, then minutes', () => {
    expect(formatElapsed(0)).toBe('0.0 s');
    expect(formatElapsed(3_499)).toBe('3.4 s');
    expect(formatElapsed(59_999)).toBe('59.9 s');
    expect(formatElapsed(65_400)).toBe('1 min 05 s');
    expect(formatElapsed(-1)).toBe('–');
  });
});

describe('limit sentences', () => {
  it.each([
    ['wall_time_s', 10, 'The program ran out of time: the wall-time limit of 10 s.'],
    ['cpu_time_s', 5, 'The program used all of its CPU time: 5 s.'],
    ['memory_mb', 256, 'The program went over its memory limit of 256 MiB.'],
    ['output_bytes', 1_048_576, 'The program printed more than the output limit of 1 MiB.'],
    ['results_bytes', 2_097_152, 'The program displayed more than the rich-results limit (tables, plots) of 2 MiB.'],
  ])('names %s and its value', (name, value, sentence) => {
    expect(limitSentence({ name, value })).toBe(sentence);
  });

  it('knows no sentence for a limit it does not know', () => {
    expect(limitSentence({ name: 'pids', value: 64 })).toBeNull();
    expect(limitSentence({ name: 'toString', value: 1 })).toBeNull();
  });
});

describe('resultSentence', () => {
  it('names the limit that ended the run', () => {
    const r = result({ status: 'timeout', limit_hit: { name: 'wall_time_s', value: 2 } });
    expect(resultSentence(r)).toBe('The program ran out of time: the wall-time limit of 2 s.');
    expect(resultSentence(result({ status: 'memory_limit', limit_hit: { name: 'memory_mb', value: 512 } }))).toBe(
      'The program went over its memory limit of 512 MiB.',
    );
  });

  it('says a run that ran out of time was waiting for input, and what to do', () => {
    const r = result({ status: 'timeout', limit_hit: { name: 'wall_time_s', value: 2 }, waiting_for_input: true });
    expect(resultSentence(r)).toBe(
      'The program ran out of time: the wall-time limit of 2 s. It was waiting for input that never came: ' +
        'type a line in the input field when it asks, or put the input in the Standard input box before you run it.',
    );
  });

  it('says a run stopped while waiting was waiting for input', () => {
    expect(resultSentence(result({ status: 'stopped', waiting_for_input: true }))).toBe(
      'You stopped the program while it was waiting for input.',
    );
    expect(resultSentence(result({ status: 'stopped' }))).toBe('You stopped the program.');
  });

  it('keeps the status’s sentence without a limit (a saved submission), or with one it does not know', () => {
    const { limit_hit: _limit, ...saved } = result({ status: 'timeout' });
    expect(resultSentence(saved)).toBe(STATUS_SENTENCES.timeout);
    expect(resultSentence(result({ status: 'output_limit', limit_hit: { name: 'pids', value: 1 } }))).toBe(STATUS_SENTENCES.output_limit);
    // A limit only explains the statuses a limit ends a run with.
    expect(resultSentence(result({ status: 'success', limit_hit: { name: 'wall_time_s', value: 1 } }))).toBe(STATUS_SENTENCES.success);
  });
});
