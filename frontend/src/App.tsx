import { lazy, Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';

import type { ApiClient } from './api/client';
import type { Violation } from './api/types';
import type { CodeEditorHandle } from './features/editor/CodeEditor';
import { ExamplesMenu } from './features/examples/ExamplesMenu';
import { DEFAULT_CODE, type Example } from './features/examples/examples';
import { OutputPanel } from './features/output/OutputPanel';
import { parseRoute, snippetPath } from './features/permalink/route';
import { ShareBar } from './features/permalink/ShareBar';
import { useRunner } from './features/run/useRunner';
import { RuntimePanel } from './features/runtime/RuntimePanel';
import { useRuntime } from './features/runtime/useRuntime';
import { StdinBox } from './features/stdin/StdinBox';
import { modKey, tabFocusKey } from './lib/platform';
import { isString, load, save } from './lib/storage';
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

  const initialRoute = useMemo(() => parseRoute(window.location.pathname), []);
  const [code, setCode] = useState(() => (initialRoute.kind === 'snippet' ? '' : load('code', DEFAULT_CODE, isString)));
  const [stdin, setStdin] = useState(() => (initialRoute.kind === 'snippet' ? '' : load('stdin', '', isString)));
  const [snippet, setSnippet] = useState<OpenSnippet | null>(null);
  const [loadingSnippet, setLoadingSnippet] = useState(initialRoute.kind === 'snippet');

  // Auto-save the draft, but not while a saved snippet is merely being viewed: opening a link
  // must not overwrite the person's own work.
  const viewingSnippet = snippet !== null || loadingSnippet;
  const pendingDraft = useRef<{ code: string; stdin: string } | null>(null);
  const flushDraft = useCallback(() => {
    if (!pendingDraft.current) return;
    save('code', pendingDraft.current.code);
    save('stdin', pendingDraft.current.stdin);
    pendingDraft.current = null;
  }, []);
  useEffect(() => {
    if (viewingSnippet) return undefined;
    pendingDraft.current = { code, stdin };
    const timer = window.setTimeout(flushDraft, 300);
    return () => window.clearTimeout(timer);
  }, [code, stdin, viewingSnippet, flushDraft]);
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

  const onPickExample = useCallback(
    (example: Example) => {
      setCode(example.code);
      setStdin(example.stdin ?? '');
      leaveSnippet();
      editor.current?.focus();
    },
    [leaveSnippet],
  );

  // Between a Share's run and the share itself nothing is busy for a moment: still no new action.
  const busy = runner.busy === 'run' || runner.busy === 'share' || runner.sharing;
  const running = runner.busy === 'run';
  const { run, stop, share } = runner;
  const onRun = useCallback(() => {
    if (busy) return;
    void run(code, stdin);
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

  return (
    <div className="flex min-h-dvh flex-col bg-slate-50 text-slate-900 lg:h-dvh dark:bg-slate-950 dark:text-slate-100">
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-white px-3 py-2 dark:border-slate-800 dark:bg-slate-900">
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
          <kbd aria-hidden="true" className="hidden rounded bg-white/20 px-1 font-sans text-[11px] sm:inline">
            {running ? 'Esc' : `${modKey}+↵`}
          </kbd>
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
        <ExamplesMenu onPick={onPickExample} />
        <div className="ml-auto">
          <ThemeSwitch value={theme.choice} onChange={theme.setChoice} />
        </div>
      </header>

      {snippet && (
        <div className="flex flex-wrap items-center gap-2 border-b border-slate-200 bg-sky-50 px-3 py-2 dark:border-slate-800 dark:bg-sky-950/40">
          <ShareBar id={snippet.id} />
        </div>
      )}

      <main className="grid flex-1 grid-cols-[minmax(0,1fr)] gap-3 p-3 lg:min-h-0 lg:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]">
        <div className="flex min-h-0 flex-col gap-2">
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
              />
            </Suspense>
          </div>
          <p className="flex flex-wrap justify-between gap-x-3 text-xs text-slate-600 dark:text-slate-400">
            <span>
              {modKey}+Enter runs · Esc stops · {modKey}+S shares · {tabFocusKey} lets Tab leave the editor
            </span>
            <span
              className={
                policy && (lineCount > policy.max_code_lines || code.length > policy.max_code_length) ? 'font-semibold text-red-700 dark:text-red-400' : ''
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
        </div>

        <div className="flex min-h-0 flex-col gap-3 lg:overflow-auto">
          <OutputPanel
            busy={runner.busy}
            view={runner.view}
            problem={runner.problem}
            live={runner.live}
            sharing={runner.sharing}
            input={liveInput}
            onJump={jump}
          />
          <div className="mt-auto">
            <RuntimePanel state={runtime} />
          </div>
        </div>
      </main>
    </div>
  );
}
