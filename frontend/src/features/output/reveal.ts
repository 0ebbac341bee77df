// After Run, the output comes into view where it is out of sight: on a phone (and any narrow
// window) it is under the editor and the input, below the fold. Beside the editor it is already
// in view and nothing moves.

/** The visible band of the page the output is in (the window, or the scrolled column it sits in). */
export interface Band {
  top: number;
  bottom: number;
}

/**
 * Whether the output's top (its heading) must be brought into view: above the band, or so low in
 * it that less than 40% of the band is left for the output under it.
 */
export function needsReveal(outputTop: number, band: Band): boolean {
  return outputTop < band.top || outputTop > band.top + (band.bottom - band.top) * 0.6;
}

/** The nearest ancestor that scrolls vertically (the desktop's output column), or null for the window. */
function scrollParent(el: HTMLElement): HTMLElement | null {
  for (let node = el.parentElement; node; node = node.parentElement) {
    const { overflowY } = getComputedStyle(node);
    if ((overflowY === 'auto' || overflowY === 'scroll') && node.scrollHeight > node.clientHeight) return node;
  }
  return null;
}

/** Scrolls `el`'s top into view if `needsReveal` says so; smoothly, unless reduced motion is asked for. */
export function revealIfOutOfView(el: HTMLElement | null): void {
  if (!el) return;
  const parent = scrollParent(el);
  const view = parent ? parent.getBoundingClientRect() : { top: 0, bottom: window.innerHeight };
  const band = { top: Math.max(0, view.top), bottom: Math.min(window.innerHeight, view.bottom) };
  if (!needsReveal(el.getBoundingClientRect().top, band)) return;
  const reduce = typeof window.matchMedia === 'function' && window.matchMedia('(prefers-reduced-motion: reduce)').matches;
  el.scrollIntoView({ block: 'start', behavior: reduce ? 'auto' : 'smooth' });
}
