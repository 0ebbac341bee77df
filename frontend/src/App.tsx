import { lazy, Suspense, useCallback, useRef, useState } from 'react';

import type { ApiClient } from './api/client';
import type { Violation } from './api/types';
import { AccountControl } from './features/account/AccountControl';
import { useAccount } from './features/account/useAccount';
import type { CodeEditorHandle } from './features/editor/CodeEditor';
import { CodeSize } from './features/editor/CodeSize';
import { KeyHints } from './features/editor/KeyHints';
import { DraftRestoreBar } from './features/examples/DraftRestoreBar';
import { exampleDraft, type Draft } from './features/examples/draftRestore';
import { ExamplesMenu, type ExamplesMenuHandle } from './features/examples/ExamplesMenu';
import type { Example } from './features/examples/examples';
import { loadDraft } from './features/examples/savedDraft';
import { useDraftAutosave } from './features/examples/useDraftAutosave';
import { useDraftRestore } from './features/examples/useDraftRestore';
import { OutputPanel } from './features/output/OutputPanel';
import { currentRoute } from './features/permalink/route';
import { ShareBar } from './features/permalink/ShareBar';
import { useOpenSnippet } from './features/permalink/useOpenSnippet';
import { usePermalinkNavigation } from './features/permalink/usePermalinkNavigation';
import { RunToolbar } from './features/run/RunToolbar';
import { useRunActions } from './features/run/useRunActions';
import { useRunner } from './features/run/useRunner';
import { useRunShortcuts } from './features/run/useRunShortcuts';
import { useVisibility } from './features/run/useVisibility';
import { VisibilitySelect } from './features/run/VisibilitySelect';
import { RuntimePanel } from './features/runtime/RuntimePanel';
import { useRuntime } from './features/runtime/useRuntime';
import { StdinBox } from './features/stdin/StdinBox';
import { useLiveInput } from './features/stdin/useLiveInput';
import { SkipLink } from './lib/SkipLink';
import { useTouchScreen } from './lib/useMediaQuery';
import { ThemeSwitch } from './theme/ThemeSwitch';
import { useTheme } from './theme/theme';

// Monaco is megabytes: load it in its own chunk so the page (and the output of a permalink) shows at once.
const CodeEditor = lazy(() => import('./features/editor/CodeEditor'));

const NO_VIOLATIONS: readonly Violation[] = [];

export function App({ api }: { api: ApiClient }) {
  const theme = useTheme();
  const runtime = useRuntime(api);
  const runner = useRunner(api);
  const editor = useRef<CodeEditorHandle>(null);
  const outputTop = useRef<HTMLDivElement>(null);
  const examplesMenu = useRef<ExamplesMenuHandle>(null);
  const touch = useTouchScreen();
  const [tabMovesFocus, setTabMovesFocus] = useState(false);
  // Accounts show only where the server has them (null: the runtime has not said yet).
  const accountsEnabled = runtime.kind === 'ready' ? runtime.info.accounts.enabled : null;
  const account = useAccount(api.account, accountsEnabled);
  const signedIn = account.state.kind === 'signed-in';
  const [visibility, setVisibility] = useVisibility(signedIn);

  // The editor holds the person's draft, or for a while a saved snippet (opened from its permalink)
  // or an example (with the draft one click away); only the draft is auto-saved.
  const [initialRoute] = useState(currentRoute);
  const [code, setCode] = useState(() => (initialRoute.kind === 'snippet' ? '' : loadDraft().code));
  const [stdin, setStdin] = useState(() => (initialRoute.kind === 'snippet' ? '' : loadDraft().stdin));
  const show = useCallback((draft: Draft) => {
    setCode(draft.code);
    setStdin(draft.stdin);
  }, []);
  const openSnippet = useOpenSnippet(initialRoute);
  const draftRestore = useDraftRestore({ code, stdin });
  const flushDraft = useDraftAutosave({ code, stdin }, openSnippet.viewing || draftRestore.shown !== null);
  const openSaved = usePermalinkNavigation({ initialRoute, snippet: openSnippet, load: runner.load, show, leavingDraft: flushDraft });

  const { edited, leave: leaveSnippet, shared: openShared, removed: removedSnippet } = openSnippet;
  const onCodeChange = useCallback(
    (value: string) => {
      setCode(value);
      edited('code', value);
    },
    [edited],
  );
  const onStdinChange = useCallback(
    (value: string) => {
      setStdin(value);
      edited('stdin', value);
    },
    [edited],
  );

  // After an example comes in (or goes): the focus goes to the editor, except on a touch screen,
  // where that would open the on-screen keyboard over the code (it stays on the Examples button).
  const focusAfterSwap = useCallback(() => {
    if (touch) examplesMenu.current?.focus();
    else editor.current?.focus();
  }, [touch]);
  /** An example, or the draft back, in place of what the editor holds. */
  const swapIn = useCallback(
    (draft: Draft) => {
      show(draft);
      leaveSnippet();
      focusAfterSwap();
    },
    [show, leaveSnippet, focusAfterSwap],
  );

  const viewingSnippet = openSnippet.viewing;
  const { picked: pickedExample, restore: restoreDraft, dismiss: keepExample } = draftRestore;
  const onPickExample = useCallback(
    (example: Example) => {
      // The draft to go back to is the person's own: over a saved snippet, the one saved aside.
      const current = viewingSnippet ? loadDraft() : { code, stdin };
      flushDraft();
      pickedExample(example, current);
      swapIn(exampleDraft(example));
    },
    [viewingSnippet, code, stdin, flushDraft, pickedExample, swapIn],
  );
  const onBackToDraft = useCallback(() => {
    const draft = restoreDraft();
    if (draft) swapIn(draft);
  }, [restoreDraft, swapIn]);
  const onKeepExample = useCallback(() => {
    keepExample();
    focusAfterSwap();
  }, [keepExample, focusAfterSwap]);

  // A deleted submission the editor holds: the page goes back to the draft (its code stays, now the
  // draft), and Share saves it anew rather than show a permalink that is a 404 now.
  const { forget: forgetSaved } = runner;
  const onSubmissionDeleted = useCallback(
    (id: string) => {
      forgetSaved(id);
      removedSnippet(id);
    },
    [forgetSaved, removedSnippet],
  );

  const actions = useRunActions(runner, { code, stdin, output: outputTop, onShared: openShared, visibility });
  useRunShortcuts({ running: actions.running, onRun: actions.run, onStop: runner.stop, onShare: actions.share });

  // When the line input goes (the run ended) with the focus in it, the focus goes back to the editor,
  // but the page stays on the result: on a phone the field is under the output, far below the editor.
  const focusEditor = useCallback(() => {
    const { scrollX, scrollY } = window;
    editor.current?.focus();
    if (window.scrollX !== scrollX || window.scrollY !== scrollY) window.scrollTo(scrollX, scrollY);
  }, []);
  const liveInput = useLiveInput(runner, focusEditor);

  const jump = useCallback((line: number, col: number) => editor.current?.revealPosition(line, col), []);

  const violations = runner.problem?.problem.kind === 'policy' ? runner.problem.problem.violations : NO_VIOLATIONS;
  const error = runner.view?.result.error ?? null;
  const hasOutput = runner.busy !== null || runner.view !== null || runner.live !== null || runner.problem !== null;

  // The source order is the Tab order: skip link, the editor (the page's main stop), the input,
  // then the header's controls, the bars and the output; the layout still shows the header on top.
  return (
    <div className="app-layout bg-slate-50 text-slate-900 dark:bg-slate-950 dark:text-slate-100">
      <SkipLink target="stdin">Skip the editor</SkipLink>

      <main aria-label="Code and input" className="area-code flex min-h-0 flex-col gap-2 p-3 lg:pr-1.5">
        <div className="h-[55vh] min-h-[16rem] overflow-hidden rounded-md border border-slate-200 bg-white focus-within:ring-2 focus-within:ring-sky-500 lg:h-auto lg:flex-1 dark:border-slate-700 dark:bg-[#1e1e1e]">
          <Suspense fallback={<p className="p-3 text-sm text-slate-500">Loading the editor…</p>}>
            <CodeEditor
              ref={editor}
              value={code}
              onChange={onCodeChange}
              theme={theme.resolved}
              violations={violations}
              errorLine={error?.line ?? null}
              errorMessage={error ? `${error.type}: ${error.message}` : undefined}
              onRun={actions.run}
              onShare={actions.share}
              onTabFocusModeChange={setTabMovesFocus}
            />
          </Suspense>
        </div>
        <p className="flex flex-wrap justify-between gap-x-3 text-xs text-slate-600 dark:text-slate-400">
          {/* No keys on a touch screen: there is no Ctrl, Esc or Tab to press. */}
          {!touch && <KeyHints tabMovesFocus={tabMovesFocus} />}
          <CodeSize code={code} policy={runtime.kind === 'ready' ? runtime.info.policy : null} />
        </p>
        <StdinBox
          value={stdin}
          onChange={onStdinChange}
          maxLength={runtime.kind === 'ready' ? runtime.info.max_stdin_length : undefined}
          running={actions.running}
          typing={liveInput !== null}
        />
      </main>

      <header className="area-header flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
        <h1 className="mr-2 flex items-center gap-2 text-base font-bold tracking-tight">
          <span aria-hidden="true" className="grid size-7 place-items-center rounded-md bg-sky-600 font-mono text-sm text-white">
            &gt;_
          </span>
          execbox
        </h1>
        <RunToolbar
          running={actions.running}
          busy={actions.busy}
          sharing={runner.sharing}
          onRun={actions.run}
          onStop={runner.stop}
          onShare={actions.share}
        />
        {signedIn && <VisibilitySelect value={visibility} onChange={setVisibility} />}
        <ExamplesMenu ref={examplesMenu} onPick={onPickExample} />
        <div className="ml-auto flex min-w-0 flex-wrap items-center gap-2">
          {accountsEnabled && (
            <AccountControl account={account} api={api.account} onOpenSubmission={openSaved} onSubmissionDeleted={onSubmissionDeleted} />
          )}
          <ThemeSwitch value={theme.choice} onChange={theme.setChoice} />
        </div>
      </header>

      <div className="area-bars">
        {openSnippet.snippet && (
          <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-sky-50 px-3 py-2 dark:border-slate-800 dark:bg-sky-950/40">
            <ShareBar id={openSnippet.snippet.id} />
          </div>
        )}
        <DraftRestoreBar shown={draftRestore.shown} onRestore={onBackToDraft} onKeep={onKeepExample} />
      </div>

      {/* Under the editor (a phone), an output at least a screen tall: Run can scroll it to the top of the screen. */}
      <div
        className={`area-output flex min-h-0 flex-col gap-3 px-3 pb-3 lg:overflow-auto lg:pt-3 lg:pl-1.5 ${hasOutput ? 'max-lg:min-h-dvh' : ''}`}
      >
        <div ref={outputTop} className="scroll-mt-3">
          <OutputPanel
            busy={runner.busy}
            view={runner.view}
            problem={runner.problem}
            live={runner.live}
            sharing={runner.sharing}
            input={liveInput}
            onJump={jump}
          />
        </div>
        <div className="mt-auto">
          <RuntimePanel state={runtime} />
        </div>
      </div>
    </div>
  );
}
