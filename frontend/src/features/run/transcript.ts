// A live run's standard output as the person saw it: the program's text with the lines they
// typed in between (echoed like a terminal does).

export interface Segment {
  /** `out`: the program wrote it; `in`: the person typed it (sent to the program's stdin). */
  kind: 'out' | 'in';
  text: string;
}

/** Appends text, merging with the last segment of the same kind (few segments, however chatty the program). */
export function appendSegment(segments: readonly Segment[], kind: Segment['kind'], text: string): Segment[] {
  if (text === '') return segments as Segment[];
  const last = segments[segments.length - 1];
  if (last && last.kind === kind) return [...segments.slice(0, -1), { kind, text: last.text + text }];
  return [...segments, { kind, text }];
}

/** The program's own output, without the typed lines. */
export function programText(segments: readonly Segment[]): string {
  return segments
    .filter((s) => s.kind === 'out')
    .map((s) => s.text)
    .join('');
}

/**
 * The transcript to keep once the result is in: only when the person typed something (otherwise
 * the result's stdout says it all), and only when what streamed is exactly the result's stdout,
 * the authoritative copy (if not, e.g. cut at the output limit, the result wins).
 */
export function finalTranscript(segments: readonly Segment[], stdout: string): Segment[] | undefined {
  if (!segments.some((s) => s.kind === 'in')) return undefined;
  return programText(segments) === stdout ? [...segments] : undefined;
}
