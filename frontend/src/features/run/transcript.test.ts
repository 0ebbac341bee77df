import { describe, expect, it } from 'vitest';

import { appendSegment, finalTranscript, programText } from './transcript';

describe('transcript', () => {
  it('merges text of the same kind and keeps typed lines apart', () => {
    let t = appendSegment([], 'out', 'Name? ');
    t = appendSegment(t, 'out', '');
    t = appendSegment(t, 'in', 'Ada\n');
    t = appendSegment(t, 'out', 'Hi ');
    t = appendSegment(t, 'out', 'Ada\n');
    expect(t).toEqual([
      { kind: 'out', text: 'Name? ' },
      { kind: 'in', text: 'Ada\n' },
      { kind: 'out', text: 'Hi Ada\n' },
    ]);
    expect(programText(t)).toBe('Name? Hi Ada\n');
  });

  it('is kept only when the person typed something and the stream matches the result', () => {
    const typed = [
      { kind: 'out' as const, text: 'a' },
      { kind: 'in' as const, text: 'x\n' },
    ];
    expect(finalTranscript(typed, 'a')).toEqual(typed);
    expect(finalTranscript(typed, 'a, but cut differently')).toBeUndefined();
    expect(finalTranscript([{ kind: 'out', text: 'a' }], 'a')).toBeUndefined();
  });
});
