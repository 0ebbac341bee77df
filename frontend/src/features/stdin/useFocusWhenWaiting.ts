import { useEffect, useRef, type RefObject } from 'react';

const TEXT_INPUT_TYPES = new Set(['text', 'search', 'email', 'url', 'tel', 'number', 'password']);

/** Whether an event came from a place where one types text (the editor's textarea, a text field). */
function isTextEntry(target: EventTarget | null): boolean {
  if (target instanceof HTMLTextAreaElement) return true;
  if (target instanceof HTMLInputElement) return TEXT_INPUT_TYPES.has(target.type);
  return target instanceof HTMLElement && target.isContentEditable;
}

/**
 * Moves the focus to `field` each time the program starts waiting for input, so the answer can
 * be typed at once (after Run, or Ctrl+Enter in the editor). Except when the person has typed
 * elsewhere (e.g. edited the code) since the field appeared or last had the focus: their next
 * keystrokes must not land in the program's input. They then see and hear that it waits, and
 * the field is a click or a Tab away.
 */
export function useFocusWhenWaiting(field: RefObject<HTMLElement | null>, waiting: boolean): void {
  const typedElsewhere = useRef(false);

  useEffect(() => {
    const onInput = (e: Event) => {
      if (e.target !== field.current && isTextEntry(e.target)) typedElsewhere.current = true;
    };
    const onFocusIn = (e: FocusEvent) => {
      if (e.target === field.current) typedElsewhere.current = false;
    };
    document.addEventListener('input', onInput, true);
    document.addEventListener('focusin', onFocusIn, true);
    return () => {
      document.removeEventListener('input', onInput, true);
      document.removeEventListener('focusin', onFocusIn, true);
    };
  }, [field]);

  useEffect(() => {
    const el = field.current;
    if (!waiting || typedElsewhere.current || !el || document.activeElement === el) return;
    el.focus();
  }, [waiting, field]);
}
