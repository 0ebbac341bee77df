// The editor's left margin, by the editor's own width (not the window's: beside the output at a
// desktop width the editor is half the window). Kept apart from Monaco so it is unit-tested.

/** The Monaco options that make up the margin left of the code. */
export interface GutterOptions {
  /** The column of glyphs (the exception's "!"); on a narrow editor the line number turns red instead. */
  glyphMargin: boolean;
  /** The folding arrows. */
  folding: boolean;
  /** Line numbers take at least this many digits' width (more when the code has more lines). */
  lineNumbersMinChars: number;
  /** The space between the line numbers and the code, in px. */
  lineDecorationsWidth: number;
}

/** Below this width (px) the editor gets the narrow margin: a phone, or a narrow window. */
export const NARROW_EDITOR_PX = 480;

const NARROW: GutterOptions = { glyphMargin: false, folding: false, lineNumbersMinChars: 2, lineDecorationsWidth: 10 };
const WIDE: GutterOptions = { glyphMargin: true, folding: true, lineNumbersMinChars: 3, lineDecorationsWidth: 10 };

/** The margin for an editor `width` px wide (one of two constant objects); 0 (not laid out yet) counts as wide. */
export function gutterOptions(width: number): GutterOptions {
  return width > 0 && width < NARROW_EDITOR_PX ? NARROW : WIDE;
}
