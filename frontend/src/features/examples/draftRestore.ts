// Picking an example replaces the code and the input; the person's draft is kept, one click away
// ("Back to your draft"), for as long as the example is in the editor unchanged.
import type { Example } from './examples';

/** What the editor and the standard-input box hold. */
export interface Draft {
  code: string;
  stdin: string;
}

/** An example in the editor, unchanged, over the draft it replaced. */
export interface ExampleOverDraft {
  example: Example;
  draft: Draft;
}

export function exampleDraft(example: Example): Draft {
  return { code: example.code, stdin: example.stdin ?? '' };
}

export function sameDraft(a: Draft, b: Draft): boolean {
  return a.code === b.code && a.stdin === b.stdin;
}

/**
 * After picking `example` with `current` in the editor. Over another unchanged example, the
 * draft to go back to stays the one under it (examples are not drafts); nothing is offered when
 * there is nothing else to go back to.
 */
export function pickExample(shown: ExampleOverDraft | null, example: Example, current: Draft): ExampleOverDraft | null {
  const draft = shown ? shown.draft : current;
  return sameDraft(draft, exampleDraft(example)) ? null : { example, draft };
}

/** After the editor or the input changed: an edited example is the draft now, and the offer goes. */
export function afterChange(shown: ExampleOverDraft | null, current: Draft): ExampleOverDraft | null {
  return shown && sameDraft(current, exampleDraft(shown.example)) ? shown : null;
}
