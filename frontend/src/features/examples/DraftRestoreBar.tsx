import type { ExampleOverDraft } from './draftRestore';

interface Props {
  shown: ExampleOverDraft | null;
  onRestore: () => void;
  onKeep: () => void;
}

/**
 * Under the header while an example replaced the draft: its name, "Back to your draft" (the code
 * and the input as they were) and "Keep the example". A live region (not a second "status": that is
 * the run's), so the offer is heard too; it stays in the page, empty, so that what appears is announced.
 */
export function DraftRestoreBar({ shown, onRestore, onKeep }: Props) {
  return (
    <div aria-live="polite" data-testid="draft-restore">
      {shown && (
        <div className="flex flex-wrap items-center gap-x-3 gap-y-2 border-b border-slate-200 bg-amber-50 px-3 py-2 text-sm dark:border-slate-800 dark:bg-amber-950/30">
          <p className="min-w-0 flex-1 basis-48 text-slate-800 dark:text-slate-200">
            Loaded the example <q className="font-medium">{shown.example.title}</q>. Your draft is kept until you edit the example.
          </p>
          <div className="flex flex-wrap gap-2">
            <button type="button" className="btn btn-secondary" onClick={onRestore} data-testid="back-to-draft">
              <span aria-hidden="true">↶</span> Back to your draft
            </button>
            <button type="button" className="btn btn-secondary" onClick={onKeep} data-testid="keep-example">
              Keep the example
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
