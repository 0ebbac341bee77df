import { useEffect, useState } from 'react';

/**
 * Seconds left until `deadline` (epoch ms), ticking once a second; null without a deadline.
 * A deadline rather than a duration, so re-renders do not restart the count.
 */
export function useCountdown(deadline: number | null): number | null {
  const [clock, setClock] = useState(() => ({ deadline, now: Date.now() }));
  let { now } = clock;
  // A new deadline counts from now, not from the last tick before it (which may be long past):
  // its first render already says the right number.
  if (clock.deadline !== deadline) {
    now = Date.now();
    setClock({ deadline, now });
  }
  useEffect(() => {
    if (deadline === null) return undefined;
    const timer = window.setInterval(() => {
      const t = Date.now();
      setClock({ deadline, now: t });
      if (t >= deadline) window.clearInterval(timer);
    }, 250);
    return () => window.clearInterval(timer);
  }, [deadline]);
  if (deadline === null) return null;
  return Math.max(0, Math.ceil((deadline - now) / 1000));
}
