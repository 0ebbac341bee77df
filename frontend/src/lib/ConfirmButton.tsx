import { useRef, type ReactNode } from 'react';
import { flushSync } from 'react-dom';

export interface ConfirmButtonText {
  /** The button: "Delete". */
  action: string;
  /** Its accessible name, naming what it acts on: "Delete print(1)". */
  actionLabel: string;
  /** The button while the action is under way: "Deleting…". */
  busy: string;
  /** The question in place of the button: "Delete this submission for good?". */
  question: string;
  /** The button that acts: "Yes, delete". */
  confirm: string;
  /** The confirmation's accessible name: "Confirm the deletion". */
  group: string;
}

interface Props {
  text: ConfirmButtonText;
  /** The question is shown (the owner keeps which one, so that one asks at a time). */
  confirming: boolean;
  /** The action is under way: the button is disabled. */
  busy: boolean;
  /** The button was pressed: ask. */
  onAsk: () => void;
  onCancel: () => void;
  onConfirm: () => void;
  /** Other actions, beside the button until it asks. */
  children?: ReactNode;
}

/**
 * A button whose action asks first ("Delete? Yes, delete / Cancel"), in its place. The safe
 * choice has the focus, so Enter twice does not act; Cancel gives the focus back to the button.
 */
export function ConfirmButton({ text, confirming, busy, onAsk, onCancel, onConfirm, children }: Props) {
  const button = useRef<HTMLButtonElement>(null);

  const cancel = () => {
    // The question goes with the focus in it: the focus goes back to the button, in its place again.
    flushSync(onCancel);
    button.current?.focus();
  };

  if (confirming) {
    return (
      <div role="group" aria-label={text.group} className="flex flex-wrap items-center gap-2">
        <span className="text-sm">{text.question}</span>
        <button type="button" className="btn btn-danger" onClick={onConfirm}>
          {text.confirm}
        </button>
        <button type="button" className="btn btn-secondary" onClick={cancel} autoFocus>
          Cancel
        </button>
      </div>
    );
  }
  return (
    <div className="flex flex-wrap gap-2">
      {children}
      <button ref={button} type="button" className="btn btn-secondary" onClick={onAsk} disabled={busy} aria-label={text.actionLabel}>
        {busy ? text.busy : text.action}
      </button>
    </div>
  );
}
