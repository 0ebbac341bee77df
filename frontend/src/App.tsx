import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { ApiClient } from './api/client';
import type { Violation } from './api/types';
import type { CodeEditorHandle } from './features/editor/CodeEditor';
import { KeyHints } from './features/editor/KeyHints';
import { DraftRestoreBar } from './features/examples/DraftRestoreBar';
import { ExamplesMenu, type ExamplesMenuHandle } from './features/examples/ExamplesMenu';
import { DEFAULT_CODE, type Example } from './features/examples/examples';
import { useDraftRestore } from './features/examples/useDraftRestore';
import { OutputPanel } from './features/output/OutputPanel';
import { revealIfOutOfView } from './features/output/reveal';
import { parseRoute, snippetPath } from './features/permalink/route';
import { ShareBar } from './features/permalink/ShareBar';
import { useRunner } from './features/run/useRunner';
import { RuntimePanel } from './features/runtime/RuntimePanel';
import { useRuntime } from './features/runtime/useRuntime';
import { StdinBox } from './features/stdin/StdinBox';
import { modKey } from './lib/platform';
import { SkipLink } from './lib/SkipLink';
import { isString, load, save } from './lib/storage';
import { useTouchScreen } from './lib/useMediaQuery';
import { ThemeSwitch } from './theme/ThemeSwitch';
import { useTheme } from './theme/theme';

// Monaco is megabytes: load it in its own chunk so the page (and the output of a permalink) shows at once.
const CodeEditor = lazy(() => import('./features/editor/CodeEditor'));

/** A saved snippet open unchanged in the editor; the first edit turns it back into the draft. */
interface OpenSnippet {
  id: string;
  code: string;
  stdin: string;
}

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

  const initialRoute = useMemo(() => parseRoute(window.location.pathname), []);
  const [code, setCode] = useState(() => (initialRoute.kind === 'snippet' ? '' : load('code', DEFAULT_CODE, isString)));
  const [stdin, setStdin] = useState(() => (initialRoute.kind === 'snippet' ? '' : load('stdin', '', isString)));
  const [snippet, setSnippet] = useState<OpenSnippet | null>(null);
  const [loadingSnippet, setLoadingSnippet] = useState(initialRoute.kind === 'snippet');

  // An example picked over the draft, unchanged since: "Back to your draft" puts the draft back.
  const draftRestore = useDraftRestore({ code, stdin });

  // Auto-save the draft, but not while a saved snippet or an example is merely being viewed:
  // opening a link or trying an example must not overwrite the person's own work.
  const viewingSnippet = snippet !== null || loadingSnippet;
  const notTheDraft = viewingSnippet || draftRestore.shown !== null;
  const pendingDraft = useRef<{ code: string; stdin: string } | null>(null);
  const flushDraft = useCallback(() => {
    if (!pendingDraft.current) return;
    save('code', pendingDraft.current.code);
    save('stdin', pendingDraft.current.stdin);
    pendingDraft.current = null;
  }, []);
  useEffect(() => {
    if (notTheDraft) return undefined;
    pendingDraft.current = { code, stdin };
    const timer = window.setTimeout(flushDraft, 300);
    return () => window.clearTimeout(timer);
  }, [code, stdin, notTheDraft, flushDraft]);
  // Closing the tab (or following a link) right after typing must not lose the last keystrokes.
  useEffect(() => {
    window.addEventListener('pagehide', flushDraft);
    return () => window.removeEventListener('pagehide', flushDraft);
  }, [flushDraft]);

  const { load: loadSubmission } = runner;
  // Only the latest navigation may apply its result (back/forward can overlap loads).
  const navigation = useRef(0);
  const openRoute = useCallback(
    (route: ReturnType<typeof parseRoute>) => {
      const seq = ++navigation.current;
      const showDraft = () => {
        setSnippet(null);
        setLoadingSnippet(false);
        setCode(load('code', DEFAULT_CODE, isString));
        setStdin(load('stdin', '', isString));
      };
      if (route.kind === 'home') {
        showDraft();
        return;
      }
      flushDraft();
      setLoadingSnippet(true);
      void loadSubmission(route.id).then((submission) => {
        if (seq !== navigation.current) return;
        if (!submission) {
          // The problem banner says why; the editor gets the person's draft back.
          showDraft();
          return;
        }
        setLoadingSnippet(false);
        setSnippet({ id: submission.id, code: submission.code, stdin: submission.stdin });
        setCode(submission.code);
        setStdin(submission.stdin);
      });
    },
    [loadSubmission, flushDraft],
  );

  useEffect(() => {
    if (initialRoute.kind === 'snippet') openRoute(initialRoute);
    const onPop = () => openRoute(parseRoute(window.location.pathname));
    window.addEventListener('popstate', onPop);
    return () => window.removeEventListener('popstate', onPop);
  }, [initialRoute, openRoute]);

  /** Leaves the snippet's URL on the first edit: the address bar then names the draft, not the saved run. */
  const leaveSnippet = useCallback(() => {
    if (!snippet && !loadingSnippet) return;
    setSnippet(null);
    setLoadingSnippet(false);
    if (window.location.pathname !== '/') window.history.pushState(null, '', '/');
  }, [snippet, loadingSnippet]);

  const onCodeChange = useCallback(
    (value: string) => {
      setCode(value);
      if (snippet && value !== snippet.code) leaveSnippet();
    },
    [snippet, leaveSnippet],
  );

  const onStdinChange = useCallback(
    (value: string) => {
      setStdin(value);
      if (snippet && value !== snippet.stdin) leaveSnippet();
    },
    [snippet, leaveSnippet],
  );

  // After an example comes in (or goes): the focus goes to the editor, except on a touch screen,
  // where that would open the on-screen keyboard over the code (it stays on the Examples button).
  const focusAfterSwap = useCallback(() => {
    if (touch) examplesMenu.current?.focus();
    else editor.current?.focus();
  }, [touch]);

  const { picked: pickedExample, restore: restoreDraft, dismiss: keepExample } = draftRestore;
  const onPickExample = useCallback(
    (example: Example) => {
      // The draft to go back to is the person's own: over a saved snippet, the one saved aside.
      const current = viewingSnippet ? { code: load('code', DEFAULT_CODE, isString), stdin: load('stdin', '', isString) } : { code, stdin };
      flushDraft();
      pickedExample(example, current);
      setCode(example.code);
      setStdin(example.stdin ?? '');
      leaveSnippet();
      focusAfterSwap();
    },
    [viewingSnippet, code, stdin, flushDraft, pickedExample, leaveSnippet, focusAfterSwap],
  );

  const onBackToDraft = useCallback(() => {
    const draft = restoreDraft();
    if (!draft) return;
    setCode(draft.code);
    setStdin(draft.stdin);
    leaveSnippet();
    focusAfterSwap();
  }, [restoreDraft, leaveSnippet, focusAfterSwap]);

  const onKeepExample = useCallback(() => {
    keepExample();
    focusAfterSwap();
  }, [keepExample, focusAfterSwap]);

  // Between a Share's run and the share itself nothing is busy for a moment: still no new action.
  const busy = runner.busy === 'run' || runner.busy === 'share' || runner.sharing;
  const running = runner.busy === 'run';
  const { run, stop, share } = runner;
  const onRun = useCallback(() => {
    if (busy) return;
    void run(code, stdin);
    // On a phone the output is under the editor and the input: bring it up (once the run shows).
    requestAnimationFrame(() => revealIfOutOfView(outputTop.current));
  }, [busy, run, code, stdin]);

  // Share: the run in view if it is of this code and input (no new run), else run first, then share.
  // While a run goes Share is disabled: it would share a run the person has not seen end.
  const onShare = useCallback(() => {
    if (busy) return;
    void share(code, stdin).then((shared) => {
      if (!shared) return;
      setSnippet({ id: shared.id, code: shared.code, stdin: shared.stdin });
      const path = snippetPath(shared.id);
      if (window.location.pathname !== path) window.history.pushState(null, '', path);
    });
  }, [busy, share, code, stdin]);

  // The shortcuts also work outside the editor (e.g. in the input box). Inside it, Monaco
  // handles them first and stops the event (Escape too, while one of its widgets is open).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      if (e.key === 'Escape' && running) {
        e.preventDefault();
        stop();
        return;
      }
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      if (e.key === 'Enter') {
        e.preventDefault();
        onRun();
      } else if (e.key === 's' || e.key === 'S') {
        e.preventDefault();
        onShare();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onRun, onShare, running, stop]);

  // The line input to a live run's stdin, under its output, once the server has started it: only
  // when the stdin box was empty (its text is otherwise the whole input), not with the HTTP fallback.
  const { sendLine, closeInput } = runner;
  // When the field goes (the run ended) with the focus in it, the focus goes back to the editor,
  // but the page stays on the result: on a phone the field is under the output, far below the editor.
  const focusEditor = useCallback(() => {
    const { scrollX, scrollY } = window;
    editor.current?.focus();
    if (window.scrollX !== scrollX || window.scrollY !== scrollY) window.scrollTo(scrollX, scrollY);
  }, []);
  const live = runner.live;
  const liveInput = useMemo(
    () =>
      running && live?.transport === 'stream' && live.phase === 'running' && live.input === 'typed'
        ? { open: live.stdinOpen, waiting: live.waiting, onSend: sendLine, onClose: closeInput, onLeave: focusEditor }
        : null,
    [running, live?.transport, live?.phase, live?.input, live?.stdinOpen, live?.waiting, sendLine, closeInput, focusEditor],
  );

  const jump = useCallback((line: number, col: number) => editor.current?.revealPosition(line, col), []);

  const violations = runner.problem?.problem.kind === 'policy' ? runner.problem.problem.violations : NO_VIOLATIONS;
  const error = runner.view?.result.error ?? null;
  const policy = runtime.kind === 'ready' ? runtime.info.policy : null;
  const lineCount = code === '' ? 0 : code.split('\n').length;
  const hasOutput = runner.busy !== null || runner.view !== null || runner.live !== null || runner.problem !== null;

  const header = (
    <header className="area-header flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
      <h1 className="mr-2 flex items-center gap-2 text-base font-bold tracking-tight">
        <span aria-hidden="true" className="grid size-7 place-items-center rounded-md bg-sky-600 font-mono text-sm text-white">
          &gt;_
        </span>
        execbox
      </h1>
      {/* One button, Run or Stop: it keeps the keyboard focus when a run starts and ends. */}
      <button
        type="button"
        className={running ? 'btn btn-danger' : 'btn btn-primary'}
        onClick={running ? stop : onRun}
        disabled={!running && busy}
        title={running ? 'Stop the program (Esc)' : `Run (${modKey}+Enter)`}
        aria-keyshortcuts={running ? 'Escape' : 'Control+Enter Meta+Enter'}
      >
        <span aria-hidden="true">{running ? '■' : '▶'}</span> {running ? 'Stop' : 'Run'}
        {!touch && (
          <kbd aria-hidden="true" className="hidden rounded bg-white/20 px-1 font-sans text-[11px] sm:inline" data-testid="run-key">
            {running ? 'Esc' : `${modKey}+↵`}
          </kbd>
        )}
      </button>
      <button
        type="button"
        className="btn btn-secondary"
        onClick={onShare}
        disabled={busy}
        title={
          running && !runner.sharing
            ? 'Share the run once it ends (or stop it first)'
            : `Share a permalink to this code, its input and the run’s output, failing or not (${modKey}+S)`
        }
        aria-keyshortcuts="Control+S Meta+S"
      >
        {runner.sharing ? 'Sharing…' : 'Share'}
      </button>
      <ExamplesMenu ref={examplesMenu} onPick={onPickExample} />
      <div className="ml-auto">
        <ThemeSwitch value={theme.choice} onChange={theme.setChoice} />
      </div>
    </header>
  );

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
              onRun={onRun}
              onShare={onShare}
              onTabFocusModeChange={setTabMovesFocus}
            />
          </Suspense>
        </div>
        <p className="flex flex-wrap justify-between gap-x-3 text-xs text-slate-600 dark:text-slate-400">
          {/* No keys on a touch screen: there is no Ctrl, Esc or Tab to press. */}
          {!touch && <KeyHints tabMovesFocus={tabMovesFocus} />}
          <span
            className={
              policy && (lineCount > policy.max_code_lines || code.length > policy.max_code_length)
                ? 'font-semibold text-red-700 dark:text-red-400'
                : ''
            }
          >
            {lineCount}
            {policy ? ` / ${policy.max_code_lines}` : ''} lines · {code.length.toLocaleString()}
            {policy ? ` / ${policy.max_code_length.toLocaleString()}` : ''} characters
          </span>
        </p>
        <StdinBox
          value={stdin}
          onChange={onStdinChange}
          maxLength={runtime.kind === 'ready' ? runtime.info.max_stdin_length : undefined}
          running={running}
          typing={liveInput !== null}
        />
      </main>

      {header}

      <div className="area-bars">
        {snippet && (
          <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-sky-50 px-3 py-2 dark:border-slate-800 dark:bg-sky-950/40">
            <ShareBar id={snippet.id} />
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
