import { describe, expect, it } from 'vitest';

import { violationToMarker } from './markers';

const lines = ['import os', 'print(1)', ''];
const maxCol = (line: number) => (lines[line - 1] ?? '').length + 1;

describe('violationToMarker', () => {
  it('keeps the 1-based, end-exclusive range of the violation', () => {
    const m = violationToMarker(
      { line: 1, col: 8, end_line: 1, end_col: 10, rule: 'import-not-allowed', message: 'os is not allowed' },
      lines.length,
      maxCol,
    );
    expect(m).toMatchObject({
      startLineNumber: 1,
      startColumn: 8,
      endLineNumber: 1,
      endColumn: 10,
      code: 'import-not-allowed',
      source: 'execbox policy',
    });
  });

  it("attributes a syntax error to Python, not to the sandbox's policy", () => {
    const message = 'SyntaxError: invalid syntax (line 2)';
    const m = violationToMarker({ line: 2, col: 7, end_line: 2, end_col: 8, rule: 'syntax-error', message }, lines.length, maxCol);
    expect(m).toMatchObject({ startLineNumber: 2, startColumn: 7, message, source: 'Python' });
  });

  it('underlines to the end of the line when the end is unknown', () => {
    const m = violationToMarker({ line: 2, col: 1, end_line: null, end_col: null, rule: 'r', message: 'm' }, lines.length, maxCol);
    expect(m).toMatchObject({ startLineNumber: 2, startColumn: 1, endLineNumber: 2, endColumn: 9 });
  });

  it('clamps positions outside the current text (the code changed since)', () => {
    const m = violationToMarker({ line: 40, col: 99, end_line: 41, end_col: 3, rule: 'r', message: 'm' }, lines.length, maxCol);
    expect(m.startLineNumber).toBe(3);
    expect(m.endLineNumber).toBe(3);
    expect(m.endColumn).toBeGreaterThan(m.startColumn - 1);
  });
});
