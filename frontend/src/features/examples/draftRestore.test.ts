import { describe, expect, it } from 'vitest';

import { afterChange, exampleDraft, pickExample, sameDraft } from './draftRestore';
import type { Example } from './examples';

const plot: Example = { id: 'plot', title: 'A plot', code: 'plt.show()\n' };
const stdin: Example = { id: 'stdin', title: 'Reading input', code: 'print(input())\n', stdin: '4\n' };
const mine = { code: 'print("mine")\n', stdin: 'my input' };

describe('draft restore', () => {
  it('keeps the draft an example replaced, code and input', () => {
    expect(pickExample(null, plot, mine)).toEqual({ example: plot, draft: mine });
    expect(exampleDraft(plot)).toEqual({ code: 'plt.show()\n', stdin: '' });
  });

  it('keeps the first draft when another example replaces an unchanged one', () => {
    const first = pickExample(null, plot, mine);
    expect(pickExample(first, stdin, exampleDraft(plot))).toEqual({ example: stdin, draft: mine });
  });

  it('offers nothing when the draft is the example itself', () => {
    expect(pickExample(null, stdin, { code: 'print(input())\n', stdin: '4\n' })).toBeNull();
    // Back at the draft by picking it (the draft was an example's code).
    const first = pickExample(null, plot, exampleDraft(stdin));
    expect(pickExample(first, stdin, exampleDraft(plot))).toBeNull();
  });

  it('counts a different input as a different draft', () => {
    expect(pickExample(null, stdin, { code: 'print(input())\n', stdin: '' })).not.toBeNull();
    expect(sameDraft({ code: 'a', stdin: '' }, { code: 'a', stdin: ' ' })).toBe(false);
  });

  it('ends the offer at the first change of the code or the input, not before', () => {
    const shown = pickExample(null, stdin, mine);
    expect(afterChange(shown, exampleDraft(stdin))).toBe(shown);
    expect(afterChange(shown, { code: 'print(input())\n# x\n', stdin: '4\n' })).toBeNull();
    expect(afterChange(shown, { code: 'print(input())\n', stdin: '5\n' })).toBeNull();
    expect(afterChange(null, mine)).toBeNull();
  });
});
