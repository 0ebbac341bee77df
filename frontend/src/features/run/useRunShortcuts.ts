import { useEffect } from 'react';

interface Shortcuts {
  /** A run is going: Escape stops it. */
  running: boolean;
  onRun: () => void;
  onStop: () => void;
  onShare: () => void;
}

/**
 * Ctrl/Cmd+Enter runs, Ctrl/Cmd+S shares and Escape stops a running program, anywhere on the page
 * (e.g. in the input box). Inside the editor Monaco handles them first and stops the event
 * (Escape too, while one of its widgets is open).
 */
export function useRunShortcuts({ running, onRun, onStop, onShare }: Shortcuts): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented) return;
      if (e.key === 'Escape' && running) {
        e.preventDefault();
        onStop();
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
  }, [onRun, onShare, running, onStop]);
}
