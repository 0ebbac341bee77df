import { describe, expect, it, vi } from 'vitest';

import { createSession } from './session';

describe('session', () => {
  it('keeps the token in sessionStorage, so that a reload of the tab finds it', () => {
    const session = createSession();
    expect(session.token()).toBeNull();
    session.keep('t1');
    expect(createSession().token()).toBe('t1');
    session.drop();
    expect(createSession().token()).toBeNull();
  });

  it('never uses localStorage (other tabs, and the browser after the tab closes, do not get it)', () => {
    createSession().keep('t1');
    expect(Object.keys(localStorage)).toEqual([]);
  });

  it('tells its listeners of every change, and no more once they unsubscribe', () => {
    const session = createSession(null);
    const listener = vi.fn();
    const unsubscribe = session.subscribe(listener);
    session.keep('t1');
    session.keep('t1');
    session.drop();
    expect(listener).toHaveBeenCalledTimes(2);
    unsubscribe();
    session.keep('t2');
    expect(listener).toHaveBeenCalledTimes(2);
    expect(session.token()).toBe('t2');
  });

  it('lives in memory when storage refuses it', () => {
    const broken = {
      getItem: () => null,
      setItem: () => {
        throw new Error('quota');
      },
      removeItem: () => {},
    } as unknown as Storage;
    const session = createSession(broken);
    session.keep('t1');
    expect(session.token()).toBe('t1');
  });
});
