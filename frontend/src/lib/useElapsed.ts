import { useEffect, useState } from 'react';

/** Whole steps of `stepMs` from `since` to now. */
const stepsSince = (since: number, stepMs: number) => Math.max(0, Math.floor((Date.now() - since) / stepMs));

/**
 * Milliseconds since `since` (epoch ms), in whole steps of `stepMs`, kept up to date by one
 * interval timer; null without a start. Only the component that calls it re-renders, once a step
 * (a tick that lands on the same step does not re-render). The timer stops on unmount, or when
 * `since` becomes null.
 */
export function useElapsed(since: number | null, stepMs = 100): number | null {
  const [steps, setSteps] = useState(() => (since === null ? 0 : stepsSince(since, stepMs)));
  useEffect(() => {
    if (since === null) return undefined;
    setSteps(stepsSince(since, stepMs));
    const timer = window.setInterval(() => setSteps(stepsSince(since, stepMs)), stepMs);
    return () => window.clearInterval(timer);
  }, [since, stepMs]);
  return since === null ? null : steps * stepMs;
}
