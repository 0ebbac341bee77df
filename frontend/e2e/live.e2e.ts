// Live runs over the WebSocket stream, and rich results, against the real server and sandbox.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launch, screenshot, typeCode, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  // Slots 64730..64737 (2 templates x (2 runs + 2 spares)): apart from playground (64700) and
  // rate-limit (64720).
  server = await startServer('live', { RATE_LIMIT: '1000/minute' });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Watched {
  errors: string[];
}

const watched = new WeakMap<Page, Watched>();

/**
 * A page of the app that records console errors, page errors and CSP violations. `code` is put
 * in the editor through the app's own draft restore (localStorage): typing it would let Monaco
 * auto-indent the lines after a block header. The stdin box starts empty (the pages share
 * localStorage, where an earlier test's input was saved).
 */
async function openPage(path = '/', code?: string): Promise<Page> {
  const page = await browser.context.newPage();
  const record: Watched = { errors: [] };
  watched.set(page, record);
  page.on('pageerror', (e) => record.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') record.errors.push(`console: ${m.text()}`);
  });
  if (code !== undefined) {
    await page.addInitScript((draft) => {
      localStorage.setItem('execbox:code', JSON.stringify(draft));
      localStorage.setItem('execbox:stdin', JSON.stringify(''));
    }, code);
  }
  await page.addInitScript(() => {
    const w = window as unknown as { __csp: string[] };
    w.__csp = [];
    document.addEventListener('securitypolicyviolation', (e) => w.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  await page.goto(server.url + path);
  await page.locator('.monaco-editor').first().waitFor();
  return page;
}

/** Console errors, page errors and CSP violations seen so far. */
async function problems(page: Page): Promise<string[]> {
  const csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
  return [...(watched.get(page)?.errors ?? []), ...csp.map((v) => `csp: ${v}`)];
}

function runButton(page: Page) {
  return page.getByRole('button', { name: 'Run', exact: true });
}

async function waitForStatus(page: Page, status: string, timeout = 15_000): Promise<void> {
  await page.locator(`[data-testid="status-badge"][data-status="${status}"]`).waitFor({ timeout });
}

describe('live runs', () => {
  it('shows output as the program prints it, not all at the end', async () => {
    const page = await openPage('/', 'import time\nfor i in range(10):\n    print("tick", i)\n    time.sleep(0.1)\n');
    // In the page: when each line first appears in the output, and when the final badge does.
    await page.evaluate(() => {
      const w = window as unknown as { __lines: Record<string, number>; __badgeAt: number | null };
      w.__lines = {};
      w.__badgeAt = null;
      new MutationObserver(() => {
        const text = document.querySelector('[data-testid="stdout"]')?.textContent ?? '';
        for (const m of text.matchAll(/tick (\d+)/g)) {
          const n = m[1] ?? '';
          w.__lines[n] ??= performance.now();
        }
        if (w.__badgeAt === null && document.querySelector('[data-testid="status-badge"]')) w.__badgeAt = performance.now();
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    });
    const clickedAt = await page.evaluate(() => performance.now());
    await runButton(page).click();
    await waitForStatus(page, 'success');
    const { lines, badgeAt } = await page.evaluate(() => {
      const w = window as unknown as { __lines: Record<string, number>; __badgeAt: number | null };
      return { lines: w.__lines, badgeAt: w.__badgeAt ?? Number.NaN };
    });
    const times = Array.from({ length: 10 }, (_, i) => lines[String(i)] ?? Number.NaN);
    const relative = times.map((t) => Math.round(t - clickedAt));
    console.log(`progressive output: lines at ${relative.join(', ')} ms after the click; result at ${Math.round(badgeAt - clickedAt)} ms`);
    expect(times.every(Number.isFinite)).toBe(true);
    // In order, spread over the run (~100 ms apart), the first long before the result.
    for (let i = 1; i < times.length; i += 1) expect(times[i]).toBeGreaterThanOrEqual(times[i - 1] ?? 0);
    const gaps = times.slice(1).map((t, i) => t - (times[i] ?? 0));
    expect(gaps.filter((g) => g > 50).length).toBeGreaterThanOrEqual(7);
    expect((times[9] ?? 0) - (times[0] ?? 0)).toBeGreaterThan(600);
    expect(badgeAt - (times[0] ?? 0)).toBeGreaterThan(700);
    expect(await page.getByTestId('stdout').textContent()).toBe(Array.from({ length: 10 }, (_, i) => `tick ${i}\n`).join(''));
    expect(await problems(page)).toEqual([]);
    await page.close();
  });

  it('sends typed lines to input() and shows them in the transcript', async () => {
    const page = await openPage('/', 'first = input("First? ")\nsecond = input("Second? ")\nprint(f"Hello {first} and {second}!")\n');
    await runButton(page).click();
    const field = page.getByTestId('live-stdin');
    await field.waitFor();
    const stdout = page.getByTestId('stdout');
    await stdout.filter({ hasText: 'First? ' }).waitFor();
    await field.fill('Ada');
    await field.press('Enter');
    await stdout.filter({ hasText: 'Second? ' }).waitFor();
    await field.fill('Bob Smith');
    await screenshot(page, 'live-stdin-light');
    await field.press('Enter');
    await waitForStatus(page, 'success');
    expect(await stdout.textContent()).toBe('First? Ada\nSecond? Bob Smith\nHello Ada and Bob Smith!\n');
    expect(await stdout.locator('[data-kind="stdin"]').allTextContents()).toEqual(['Ada\n', 'Bob Smith\n']);
    expect(await page.getByTestId('live-stdin').count()).toBe(0);
    // The field went away with the focus in it: the focus went back to the editor.
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null)).toBe(true);
    expect(await problems(page)).toEqual([]);
    await page.close();
  });

  it('closes the input with Ctrl+D: input() then gets end of file', async () => {
    const page = await openPage(
      '/',
      'lines = []\nwhile True:\n    try:\n        lines.append(input())\n    except EOFError:\n        break\nprint(len(lines), "lines:", lines)\n',
    );
    await runButton(page).click();
    const field = page.getByTestId('live-stdin');
    await field.waitFor();
    for (const line of ['one', 'two']) {
      await field.fill(line);
      await field.press('Enter');
    }
    await field.press('Control+d');
    await waitForStatus(page, 'success');
    expect(await page.getByTestId('stdout').textContent()).toBe("one\ntwo\n2 lines: ['one', 'two']\n");
    expect(await problems(page)).toEqual([]);
    await page.close();
  });

  it('reads text in the stdin box as the whole input, then end of file (as a saved run would)', async () => {
    const page = await openPage(
      '/',
      'lines = []\nwhile True:\n    try:\n        lines.append(input())\n    except EOFError:\n        break\nprint(len(lines), "lines:", lines)\n',
    );
    await page.getByLabel('Standard input').fill('given\nno newline at the end');
    await runButton(page).click();
    await waitForStatus(page, 'success');
    expect(await page.getByTestId('stdout').textContent()).toBe("2 lines: ['given', 'no newline at the end']\n");
    expect(await page.getByTestId('live-stdin').count()).toBe(0);
    expect(await problems(page)).toEqual([]);
    await page.close();
  });

  it.each([
    ['a busy loop', 'n = 0\nwhile True:\n    n += 1\n', 'click'],
    ['a sleep', 'import time\ntime.sleep(60)\n', 'click'],
    ['a sleep, with Escape', 'import time\ntime.sleep(60)\n', 'escape'],
  ] as const)('stops %s within 200 ms', async (what, code, how) => {
    const page = await openPage('/', code);
    await runButton(page).click();
    // Started (the live input shows), and running for a moment.
    await page.getByTestId('live-stdin').waitFor();
    await page.waitForTimeout(300);
    // In the page: when Stop was clicked (or Escape pressed), when the `stopped` badge entered
    // the DOM, and the next frame after it (painted).
    await page.evaluate(() => {
      const w = window as unknown as { __stop: { asked: number | null; badge: number | null; painted: number | null } };
      w.__stop = { asked: null, badge: null, painted: null };
      const asked = () => {
        w.__stop.asked ??= performance.now();
      };
      document.addEventListener('click', asked, { capture: true });
      document.addEventListener('keydown', (e) => e.key === 'Escape' && asked(), { capture: true });
      new MutationObserver(() => {
        if (w.__stop.badge === null && document.querySelector('[data-testid="status-badge"][data-status="stopped"]')) {
          w.__stop.badge = performance.now();
          requestAnimationFrame(() => {
            w.__stop.painted = performance.now();
          });
        }
      }).observe(document.body, { subtree: true, childList: true, attributes: true });
    });
    if (how === 'click') {
      await page.getByRole('button', { name: 'Stop', exact: true }).click();
    } else {
      await page.locator('.monaco-editor .view-lines').first().click();
      await page.keyboard.press('Escape');
    }
    await waitForStatus(page, 'stopped', 5_000);
    await page.waitForFunction(() => (window as unknown as { __stop: { painted: number | null } }).__stop.painted !== null);
    const t = await page.evaluate(() => (window as unknown as { __stop: { asked: number; badge: number; painted: number } }).__stop);
    const toBadge = t.badge - t.asked;
    const toPaint = t.painted - t.asked;
    console.log(
      `stop latency (${what}, ${how}): ${toBadge.toFixed(1)} ms to the badge in the DOM, ${toPaint.toFixed(1)} ms to the next frame`,
    );
    expect(toBadge).toBeLessThan(200);
    expect(toPaint).toBeLessThan(200);
    expect(await page.getByTestId('status-badge').textContent()).toBe('Stopped');
    expect(await page.getByTestId('run-status').textContent()).toBe('You stopped the program.');
    expect(await runButton(page).isVisible()).toBe(true);
    if (how === 'click') await screenshot(page, 'stopped-light');
    expect(await problems(page)).toEqual([]);
    await page.close();
  });

  it('falls back to a plain HTTP run, quietly, when the WebSocket is refused', async () => {
    const page = await browser.context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    // A proxy that does not pass WebSockets: the socket closes before the run starts.
    await page.routeWebSocket(/\/api\/v1\/code\/stream$/, (ws) => {
      void ws.close({ code: 1011, reason: 'no websockets here' });
    });
    const posts: string[] = [];
    page.on('request', (r) => {
      if (r.method() === 'POST') posts.push(new URL(r.url()).pathname);
    });
    await page.goto(server.url);
    await page.locator('.monaco-editor').first().waitFor();
    await typeCode(page, 'print("over http")\n');
    await runButton(page).click();
    await waitForStatus(page, 'success');
    expect(await page.getByTestId('stdout').textContent()).toBe('over http\n');
    expect(posts).toEqual(['/api/v1/code/execute']);
    expect(await page.getByTestId('problem').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  });
});

describe('rich results', () => {
  it('shows a DataFrame as a table and a plot as an image, also from the permalink', async () => {
    const code = [
      'import pandas as pd',
      'import matplotlib.pyplot as plt',
      'df = pd.DataFrame({"city": ["Paris", "Oslo", "Lima"], "temp": [18.5, 9.25, 19.0]})',
      'print("rows:", len(df))',
      'display(df)',
      'plt.plot([1, 4, 9, 16])',
      'plt.title("squares")',
      'plt.show()',
      '',
    ].join('\n');
    const page = await openPage('/', code);
    await runButton(page).click();
    await waitForStatus(page, 'success');
    const tab = page.getByRole('tab', { name: 'Results (2)' });
    expect(await tab.getAttribute('aria-selected')).toBe('true');
    const table = page.getByTestId('result-html').locator('table');
    expect(await table.count()).toBe(1);
    expect(await table.locator('td').allTextContents()).toEqual(['Paris', '18.50', 'Oslo', '9.25', 'Lima', '19.00']);
    const img = page.getByTestId('result-image');
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : 0))).toBeGreaterThan(0);
    const [imgBox, panelBox, runtimeBox] = await Promise.all([
      img.boundingBox(),
      page.getByTestId('results').boundingBox(),
      page.getByTestId('runtime').boundingBox(),
    ]);
    expect(imgBox?.width ?? Infinity).toBeLessThanOrEqual((panelBox?.width ?? 0) + 0.5);
    // The results push the runtime panel down (the column scrolls), never under it.
    expect(runtimeBox?.y ?? 0).toBeGreaterThanOrEqual((panelBox?.y ?? 0) + (panelBox?.height ?? Infinity));
    await screenshot(page, 'results-light');
    await page.getByLabel('Theme').selectOption('dark');
    await screenshot(page, 'results-dark');
    await page.getByLabel('Theme').selectOption('light');
    // The output is one click away.
    await page.getByRole('tab', { name: 'Output' }).click();
    expect(await page.getByTestId('stdout').textContent()).toBe('rows: 3\n');

    await page.getByRole('button', { name: 'Share' }).click();
    await page.waitForURL(/\/s\/[^/]+$/);
    const second = await openPage(new URL(page.url()).pathname);
    await second.getByRole('tab', { name: 'Results (2)' }).waitFor();
    expect(await second.getByTestId('result-html').locator('td').first().textContent()).toBe('Paris');
    await expect
      .poll(() => second.getByTestId('result-image').evaluate((i: HTMLImageElement) => (i.complete ? i.naturalWidth : 0)))
      .toBeGreaterThan(0);
    expect(await problems(page)).toEqual([]);
    expect(await problems(second)).toEqual([]);
    await second.close();
    await page.close();
  });

  it('never runs script from a result’s HTML, even when the program forges the HTML', async () => {
    // pandas escapes cell values; a DataFrame subclass overriding to_html does not, and the
    // sandbox calls to_html on whatever DataFrame it is given: so this hostile HTML really comes
    // from the program, through the server, to the page's rendering path.
    const code = [
      'import pandas as pd',
      '',
      'class Forged(pd.DataFrame):',
      '    def to_html(self, *args, **kwargs):',
      '        return (\'<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>\'',
      '                \'<table><tr><td onclick="window.__pwned=3" style="position:fixed;inset:0">forged</td></tr></table>\'',
      '                \'<svg onload="window.__pwned=4"></svg><a href="javascript:window.__pwned=5">link</a>\')',
      '',
      'display(pd.DataFrame({"v": [\'<img src=x onerror="window.__pwned=6">\']}))',
      'Forged({"a": [1]})',
      '',
    ].join('\n');
    const page = await openPage('/', code);
    await runButton(page).click();
    await waitForStatus(page, 'success');
    await page.getByRole('tab', { name: 'Results (2)' }).waitFor();
    const html = page.getByTestId('result-html');
    // Escaped by pandas: text in a cell.
    expect(await html.nth(0).locator('td').textContent()).toBe('<img src=x onerror="window.__pwned=6">');
    // Forged: its table stays, stripped of everything else.
    expect(await html.nth(1).locator('td').textContent()).toBe('forged');
    expect(await html.nth(1).textContent()).toBe('forgedlink');
    await page.locator('td', { hasText: 'forged' }).click();
    await page.waitForTimeout(300); // time for an image error or a load handler to have fired
    const state = await page.evaluate(() => ({
      pwned: (window as unknown as { __pwned?: unknown }).__pwned,
      scripts: Array.from(document.scripts).map((s) => s.src.replace(location.origin, '')),
      handlers: document.querySelectorAll('[onerror], [onclick], [onload], [href^="javascript"], [data-testid="results"] [style]').length,
      inResults: document.querySelectorAll('[data-testid="results"] img, [data-testid="results"] svg, [data-testid="results"] a').length,
    }));
    expect(state.pwned).toBeUndefined();
    // Only the app's own bundles (theme-init.js and the module scripts), none from the result.
    expect(state.scripts.every((src) => src.startsWith('/'))).toBe(true);
    expect(state.handlers).toBe(0);
    expect(state.inResults).toBe(0);
    await screenshot(page, 'results-hostile-light');
    expect(await problems(page)).toEqual([]);
    await page.close();
  });

  it('has the CSP as a second line: an inline handler that slipped through would not run', async () => {
    const page = await openPage();
    // Bypass the sanitiser on purpose (as a DOMPurify bug would): the CSP still refuses to run it.
    await page.evaluate(() => {
      const box = document.createElement('div');
      box.innerHTML = '<img src="data:," onerror="window.__pwned=1">';
      document.body.append(box);
    });
    await page.waitForFunction(() => (window as unknown as { __csp: string[] }).__csp.length > 0);
    expect(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned)).toBeUndefined();
    const csp = await page.evaluate(() => (window as unknown as { __csp: string[] }).__csp);
    expect(csp[0]).toMatch(/^script-src/);
    await page.close();
  });
});
