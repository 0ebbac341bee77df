import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';

import type { Violation } from '../../api/types';
import type { ResolvedTheme } from '../../theme/theme';
import { isMac, modKey, tabFocusKey } from '../../lib/platform';
import { gutterOptions, type GutterOptions } from './gutter';
import { violationToMarker } from './markers';
import { monaco } from './monaco';

export interface CodeEditorHandle {
  focus(): void;
  /** Moves the cursor to a 1-based position and scrolls it into view. */
  revealPosition(line: number, column?: number): void;
}

export interface CodeEditorProps {
  value: string;
  onChange: (value: string) => void;
  theme: ResolvedTheme;
  violations: readonly Violation[];
  /** The line the last run's exception points at, highlighted with a glyph. */
  errorLine: number | null;
  errorMessage?: string;
  onRun: () => void;
  onShare: () => void;
  /** Monaco's "Tab moves focus" mode ({tabFocusKey}) was turned on or off. */
  onTabFocusModeChange?: (on: boolean) => void;
}

const MARKER_OWNER = 'execbox-policy';

/** Hover messages are Markdown; an exception message is plain text and must show as typed. */
function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, '\\$&');
}

const CodeEditor = forwardRef<CodeEditorHandle, CodeEditorProps>(function CodeEditor(props, ref) {
  const { value, onChange, theme, violations, errorLine, errorMessage, onRun, onShare, onTabFocusModeChange } = props;
  const host = useRef<HTMLDivElement>(null);
  const editorRef = useRef<monaco.editor.IStandaloneCodeEditor | null>(null);
  const decorations = useRef<monaco.editor.IEditorDecorationsCollection | null>(null);
  // Monaco's commands are registered once; refs keep them calling the latest callbacks.
  const callbacks = useRef({ onChange, onRun, onShare, onTabFocusModeChange });
  callbacks.current = { onChange, onRun, onShare, onTabFocusModeChange };
  // The editor is created once, with the first render's code and theme; the effects below apply
  // later changes. A ref, so the creating effect does not depend on them.
  const initial = useRef({ value, theme });

  useEffect(() => {
    if (!host.current) return undefined;
    let gutter: GutterOptions = gutterOptions(host.current.clientWidth);
    const editor = monaco.editor.create(host.current, {
      ...gutter,
      value: initial.current.value,
      language: 'python',
      theme: initial.current.theme === 'dark' ? 'vs-dark' : 'vs',
      automaticLayout: true,
      fontSize: 14,
      fontFamily: "ui-monospace, 'Cascadia Code', 'JetBrains Mono', Menlo, Consolas, monospace",
      minimap: { enabled: false },
      scrollBeyondLastLine: false,
      tabSize: 4,
      insertSpaces: true,
      renderLineHighlight: 'line',
      ariaLabel: `Python code editor. Press ${modKey}+Enter to run, ${tabFocusKey} to let Tab move focus.`,
      fixedOverflowWidgets: true,
      padding: { top: 8, bottom: 8 },
    });
    editorRef.current = editor;
    decorations.current = editor.createDecorationsCollection();
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.Enter, () => callbacks.current.onRun());
    editor.addCommand(monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyS, () => callbacks.current.onShare());
    // "Tab moves focus", on the keys of Monaco's own toggle, but as this editor's option: Monaco's
    // toggle is a global that tells nobody, and the page says when the mode is on.
    editor.addCommand(
      isMac ? monaco.KeyMod.WinCtrl | monaco.KeyMod.Shift | monaco.KeyCode.KeyM : monaco.KeyMod.CtrlCmd | monaco.KeyCode.KeyM,
      () => editor.updateOptions({ tabFocusMode: !editor.getOption(monaco.editor.EditorOption.tabFocusMode) }),
    );
    const subs = [
      editor.onDidChangeModelContent(() => callbacks.current.onChange(editor.getValue())),
      // A phone's margin is narrow; the window turning (or resized) across the threshold changes it.
      editor.onDidLayoutChange(({ width }) => {
        const next = gutterOptions(width);
        if (next === gutter) return;
        gutter = next;
        editor.updateOptions(next);
      }),
      editor.onDidChangeConfiguration((e) => {
        if (e.hasChanged(monaco.editor.EditorOption.tabFocusMode)) {
          callbacks.current.onTabFocusModeChange?.(editor.getOption(monaco.editor.EditorOption.tabFocusMode));
        }
      }),
    ];
    return () => {
      subs.forEach((sub) => sub.dispose());
      editor.getModel()?.dispose();
      editor.dispose();
      editorRef.current = null;
    };
  }, []);

  // Outside changes (an example, a permalink) go in as an edit, so Ctrl+Z brings the old code back.
  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model || model.getValue() === value) return;
    editor.pushUndoStop();
    editor.executeEdits('execbox', [{ range: model.getFullModelRange(), text: value }]);
    editor.pushUndoStop();
    editor.setPosition({ lineNumber: 1, column: 1 });
  }, [value]);

  useEffect(() => {
    monaco.editor.setTheme(theme === 'dark' ? 'vs-dark' : 'vs');
  }, [theme]);

  useEffect(() => {
    const model = editorRef.current?.getModel();
    if (!model) return;
    const markers = violations.map((v) => ({
      ...violationToMarker(v, model.getLineCount(), (line) => model.getLineMaxColumn(line)),
      severity: monaco.MarkerSeverity.Error,
    }));
    monaco.editor.setModelMarkers(model, MARKER_OWNER, markers);
  }, [violations]);

  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (!editor || !model || !decorations.current) return;
    if (errorLine === null || errorLine < 1 || errorLine > model.getLineCount()) {
      decorations.current.clear();
      return;
    }
    decorations.current.set([
      {
        range: new monaco.Range(errorLine, 1, errorLine, model.getLineMaxColumn(errorLine)),
        options: {
          isWholeLine: true,
          className: 'execbox-error-line',
          glyphMarginClassName: 'execbox-error-glyph',
          // Without the glyph margin (a narrow editor) the line number is what marks the line.
          lineNumberClassName: 'execbox-error-line-number',
          glyphMarginHoverMessage: errorMessage ? { value: escapeMarkdown(errorMessage) } : undefined,
          hoverMessage: errorMessage ? { value: escapeMarkdown(errorMessage) } : undefined,
          overviewRuler: { color: '#ef4444', position: monaco.editor.OverviewRulerLane.Full },
        },
      },
    ]);
    editor.revealLineInCenterIfOutsideViewport(errorLine);
  }, [errorLine, errorMessage]);

  useImperativeHandle(
    ref,
    () => ({
      focus: () => editorRef.current?.focus(),
      revealPosition: (line, column = 1) => {
        const editor = editorRef.current;
        if (!editor) return;
        editor.setPosition({ lineNumber: line, column });
        editor.revealPositionInCenterIfOutsideViewport({ lineNumber: line, column });
        editor.focus();
      },
    }),
    [],
  );

  return <div ref={host} className="h-full w-full" data-testid="code-editor" />;
});

export default CodeEditor;
