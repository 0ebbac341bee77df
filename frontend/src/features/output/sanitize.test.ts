import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { resetSanitizer, sanitizeHtml, sanitizerRealm } from './sanitize';

afterEach(() => resetSanitizer());

const HOSTILE =
  '<img src=x onerror=alert(1)><script>window.__pwned=1</script>' +
  '<table><tr><td onclick="window.__pwned=1">cell</td></tr></table>' +
  '<a href="javascript:window.__pwned=1">link</a><iframe src="javascript:1"></iframe>' +
  '<svg onload="window.__pwned=1"><circle /></svg><style>body{display:none}</style>' +
  '<div style="position:fixed;inset:0" id="root" data-x="1" aria-label="x">text</div>' +
  '<form action="/x"><input name="q"></form><math><mi xlink:href="javascript:1">m</mi></math>';

/** The sanitised HTML parsed into a detached element, to inspect what would land in the page. */
function parse(html: string): HTMLElement {
  const host = document.createElement('div');
  host.innerHTML = sanitizeHtml(html) ?? '';
  return host;
}

describe.each([
  ['with the DOMPurify it chooses', undefined],
  ['with the page’s own DOMPurify (the fallback)', 'page' as const],
])('sanitizeHtml, %s', (_name, use) => {
  beforeEach(() => resetSanitizer(use));

  it('has a DOMPurify to work with', () => {
    // Chromium gets the detached realm (the e2e tests see no CSP report); jsdom cannot detach
    // one, and falls back to the page's own.
    expect(sanitizerRealm()).toEqual(use ?? expect.stringMatching(/^(detached|page)$/));
  });

  it('strips scripts, event handlers, URLs, styles and everything off the table allowlist', () => {
    const out = sanitizeHtml(HOSTILE) ?? '';
    expect(out).not.toMatch(
      /<script|onerror|onclick|onload|javascript:|<img|<a |<iframe|<svg|<style|style=|<form|<input|<math|id=|data-x|aria-label/i,
    );
    expect(out).not.toContain('__pwned');
    const host = parse(HOSTILE);
    expect(host.querySelectorAll('script, img, iframe, svg, style, a, form, input, math')).toHaveLength(0);
    for (const el of Array.from(host.querySelectorAll('*'))) {
      for (const attr of Array.from(el.attributes)) expect(['class', 'colspan', 'rowspan', 'align']).toContain(attr.name);
    }
    // The harmless text stays.
    expect(host.querySelector('td')?.textContent).toBe('cell');
    expect(host.textContent).toContain('link');
    expect(host.textContent).toContain('text');
    expect((window as Window & { __pwned?: unknown }).__pwned).toBeUndefined();
  });

  it('keeps a pandas table: its structure, classes and spans', () => {
    const pandas =
      '<div><style scoped>.dataframe tbody tr th { vertical-align: top; }</style>' +
      '<table border="1" class="dataframe"><thead><tr style="text-align: right;"><th></th><th colspan="2" halign="left">a</th></tr></thead>' +
      '<tbody><tr><th rowspan="2">0</th><td>1</td><td align="right"><b>x</b> &lt;img src=x onerror=1&gt;</td></tr></tbody></table>' +
      '<p>2 rows × 2 columns</p></div>';
    const host = parse(pandas);
    const table = host.querySelector('table');
    expect(table?.className).toBe('dataframe');
    expect(table?.hasAttribute('border')).toBe(false);
    expect(host.querySelector('th[colspan="2"]')).not.toBeNull();
    expect(host.querySelector('th[colspan="2"]')?.hasAttribute('halign')).toBe(false);
    expect(host.querySelector('th[rowspan="2"]')).not.toBeNull();
    expect(host.querySelector('td[align="right"] b')?.textContent).toBe('x');
    expect(host.querySelector('tr')?.hasAttribute('style')).toBe(false);
    expect(host.querySelector('style')).toBeNull();
    // Escaped markup in a cell stays text.
    expect(host.querySelector('td[align="right"]')?.textContent).toBe('x <img src=x onerror=1>');
    expect(host.querySelector('img')).toBeNull();
    expect(host.querySelector('p')?.textContent).toBe('2 rows × 2 columns');
  });
});
