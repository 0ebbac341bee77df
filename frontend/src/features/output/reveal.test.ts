import { afterEach, describe, expect, it, vi, type Mock } from 'vitest';

import { needsReveal, revealIfOutOfView } from './reveal';

const PHONE = { top: 0, bottom: 844 };

describe('needsReveal', () => {
  it('brings up an output below the fold, or too low to read (a phone after Run)', () => {
    expect(needsReveal(1020, PHONE)).toBe(true);
    expect(needsReveal(700, PHONE)).toBe(true);
  });

  it('leaves an output whose top is in the upper part of the view (beside the editor, or scrolled to)', () => {
    expect(needsReveal(60, { top: 0, bottom: 800 })).toBe(false);
    expect(needsReveal(500, PHONE)).toBe(false);
    expect(needsReveal(0, PHONE)).toBe(false);
  });

  it('brings back an output scrolled up out of its band', () => {
    expect(needsReveal(-300, PHONE)).toBe(true);
    expect(needsReveal(40, { top: 56, bottom: 800 })).toBe(true);
  });
});

describe('revealIfOutOfView', () => {
  afterEach(() => {
    document.body.replaceChildren();
    vi.restoreAllMocks();
    Reflect.deleteProperty(window, 'matchMedia');
  });

  function output(top: number): { el: HTMLElement; scrollIntoView: Mock } {
    const el = document.createElement('section');
    document.body.append(el);
    vi.spyOn(el, 'getBoundingClientRect').mockReturnValue({ top } as DOMRect);
    const scrollIntoView = vi.fn();
    el.scrollIntoView = scrollIntoView;
    return { el, scrollIntoView };
  }

  it('scrolls smoothly to the top of an output below the fold', () => {
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(844);
    const { el, scrollIntoView } = output(900);
    revealIfOutOfView(el);
    expect(scrollIntoView).toHaveBeenCalledWith({ block: 'start', behavior: 'smooth' });
  });

  it('jumps without animation when reduced motion is asked for', () => {
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(844);
    Object.defineProperty(window, 'matchMedia', {
      value: (q: string) => ({ matches: q === '(prefers-reduced-motion: reduce)' }),
      configurable: true,
    });
    const { el, scrollIntoView } = output(900);
    revealIfOutOfView(el);
    expect(scrollIntoView).toHaveBeenCalledWith({ block: 'start', behavior: 'auto' });
  });

  it('does not move an output already in view', () => {
    vi.spyOn(window, 'innerHeight', 'get').mockReturnValue(800);
    const { el, scrollIntoView } = output(60);
    revealIfOutOfView(el);
    expect(scrollIntoView).not.toHaveBeenCalled();
    revealIfOutOfView(null);
  });
});
