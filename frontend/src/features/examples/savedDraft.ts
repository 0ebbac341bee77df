// The person's draft, kept in localStorage: what the editor holds at `/`, across reloads.
import { isString, load, save } from '../../lib/storage';
import type { Draft } from './draftRestore';
import { DEFAULT_CODE } from './examples';

/** The saved draft; the default example before anything was saved. */
export function loadDraft(): Draft {
  return { code: load('code', DEFAULT_CODE, isString), stdin: load('stdin', '', isString) };
}

export function saveDraft(draft: Draft): void {
  save('code', draft.code);
  save('stdin', draft.stdin);
}
