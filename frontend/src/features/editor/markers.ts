// Pure mapping from API findings to Monaco's shapes, kept apart from Monaco so it is unit-tested.
import { SYNTAX_ERROR } from '../../api/errors';
import type { Violation } from '../../api/types';

export interface MarkerRange {
  startLineNumber: number;
  startColumn: number;
  endLineNumber: number;
  endColumn: number;
}

export interface MarkerLike extends MarkerRange {
  message: string;
  code: string;
  source: string;
}

/**
 * Violations are 1-based with an exclusive end, as Monaco ranges are. A missing or empty end
 * underlines up to the end of the line, so the marker is always visible.
 */
export function violationToMarker(v: Violation, lineCount: number, lineMaxColumn: (line: number) => number): MarkerLike {
  const line = clamp(v.line, 1, lineCount);
  const startColumn = clamp(v.col, 1, lineMaxColumn(line));
  let endLineNumber = v.end_line != null ? clamp(v.end_line, line, lineCount) : line;
  let endColumn = v.end_col != null ? clamp(v.end_col, 1, lineMaxColumn(endLineNumber)) : lineMaxColumn(line);
  if (endLineNumber === line && endColumn <= startColumn) {
    endLineNumber = line;
    endColumn = Math.max(startColumn + 1, lineMaxColumn(line));
  }
  return {
    startLineNumber: line,
    startColumn,
    endLineNumber,
    endColumn,
    message: v.message,
    code: v.rule,
    source: v.rule === SYNTAX_ERROR ? 'Python' : 'execbox policy',
  };
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(Math.max(n, lo), Math.max(lo, hi));
}
