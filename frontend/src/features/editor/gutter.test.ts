import { describe, expect, it } from 'vitest';

import { gutterOptions, NARROW_EDITOR_PX } from './gutter';

describe('gutterOptions', () => {
  it('gives a phone-width editor line numbers only, two digits wide', () => {
    expect(gutterOptions(364)).toEqual({ glyphMargin: false, folding: false, lineNumbersMinChars: 2, lineDecorationsWidth: 10 });
    expect(gutterOptions(NARROW_EDITOR_PX - 1).glyphMargin).toBe(false);
  });

  it('keeps the glyphs and folding from the threshold on (a desktop editor beside the output)', () => {
    expect(gutterOptions(NARROW_EDITOR_PX)).toEqual({ glyphMargin: true, folding: true, lineNumbersMinChars: 3, lineDecorationsWidth: 10 });
    expect(gutterOptions(610).glyphMargin).toBe(true);
  });

  it('counts an editor not laid out yet (width 0) as wide', () => {
    expect(gutterOptions(0).glyphMargin).toBe(true);
  });
});
