import { describe, expect, it } from 'vitest';

import { parseRoute, permalinkUrl, snippetPath } from './route';

describe('routes', () => {
  it('parses the home page and snippet pages', () => {
    expect(parseRoute('/')).toEqual({ kind: 'home' });
    expect(parseRoute('/s/abc123')).toEqual({ kind: 'snippet', id: 'abc123' });
    expect(parseRoute('/s/abc123/')).toEqual({ kind: 'snippet', id: 'abc123' });
    expect(parseRoute('/s/')).toEqual({ kind: 'home' });
    expect(parseRoute('/s/a/b')).toEqual({ kind: 'home' });
    expect(parseRoute('/s/%E0%A4%A')).toEqual({ kind: 'home' });
  });
  it('builds permalinks', () => {
    expect(snippetPath('x y')).toBe('/s/x%20y');
    expect(permalinkUrl('abc', 'http://127.0.0.1:8000')).toBe('http://127.0.0.1:8000/s/abc');
  });
});
