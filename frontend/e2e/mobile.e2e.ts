// A phone (390 px, touch) and a desktop (1280 px, mouse and keyboard) against the real server:
// after Run the output comes into view on the phone, the editor's margin is narrow there, no
// keyboard shortcut is named on a touch screen; the keyboard reaches the editor first and leaves
// it with Ctrl+M, Tab; the Examples menu shows whole titles, and "Back to your draft" undoes a pick.
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { editorText, launch, screenshot, scrollSettled, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let phone: Browser;
let desktop: Browser;

const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1280, height: 800 };

beforeAll(async () => {
  server = await startServer('mobile', { RATE_LIMIT: '1000/minute' });
  phone = await launch({ ...PHONE, touch: true });
  desktop = await launch(DESKTOP);
});

afterAll(async () => {
  await phone?.close();
  await desktop?.close();
  await server?.stop();
});

const errorsOf = new WeakMap<Page, string[]>();

/** A fresh page whose saved draft is `code` and `stdin` (the pages of a browser share localStorage). */
async function openPage(browser: Browser, code: string, stdin = ''): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  errorsOf.set(page, errors);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.addInitScript(
    ([c, s]) => {
      // Only on the first load: a reload must find what the page saved itself.
      if (sessionStorage.getItem('execbox-e2e-seeded')) return;
      sessionStorage.setItem('execbox-e2e-seeded', '1');
      localStorage.setItem('execbox:code', JSON.stringify(c));
      localStorage.setItem('execbox:stdin', JSON.stringify(s));
    },
    [code, stdin] as const,
  );
  await page.goto(server.url);
  await page.locator('.monaco-editor .view-line').first().waitFor();
  return page;
}

/** Whether the element's box lies wholly inside the viewport. */
async function inViewport(page: Page, locator: Locator): Promise<boolean> {
  const box = await locator.boundingBox();
  const viewport = page.viewportSize();
  if (!box || !viewport) return false;
  return box.y >= 0 && box.x >= 0 && box.y + box.height <= viewport.height && box.x + box.width <= viewport.width;
}

/** The editor's left margin (glyphs, line numbers, folding) and the editor's whole width, in px. */
async function gutter(page: Page): Promise<{ margin: number; editor: number }> {
  return page.evaluate(() => {
    const editor = document.querySelector('.monaco-editor');
    const margin = editor?.querySelector('.margin');
    if (!editor || !margin) throw new Error('no editor margin');
    return { margin: margin.getBoundingClientRect().width, editor: editor.getBoundingClientRect().width };
  });
}

/** Each menu item's text fits its box: [title, scrollWidth, clientWidth] of the ones that do not. */
async function clippedItems(page: Page): Promise<[string, number, number][]> {
  return page.getByTestId('examples-menu').evaluate((menu) =>
    Array.from(menu.querySelectorAll<HTMLElement>('[role="menuitem"]'))
      .filter((item) => item.scrollWidth > item.clientWidth || item.scrollHeight > item.clientHeight)
      .map((item): [string, number, number] => [item.textContent ?? '', item.scrollWidth, item.clientWidth]),
  );
}

const activeInEditor = (page: Page) => page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null);
const activeTestId = (page: Page) =>
  page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? document.activeElement?.id ?? null);

/** A draft with what typing would not keep exact: indentation, trailing spaces, blank lines, an input of several lines. */
const DRAFT_CODE = 'def double(x):\n    return x * 2  \n\n\nfor line in open(0):\n\tprint(double(int(line)))\n';
const DRAFT_STDIN = '21\n  4\n\n';

describe('on a phone (390 px, touch)', () => {
  it('is a touch screen to the page: no key is named', async () => {
    const page = await openPage(phone, 'print("hello")\n');
    expect(await page.evaluate(() => matchMedia('(hover: none) and (pointer: coarse)').matches)).toBe(true);
    expect(await page.getByTestId('key-hints').count()).toBe(0);
    expect(await page.getByTestId('run-key').count()).toBe(0);
    expect(await page.getByTestId('run-status').textContent()).toBe('Press Run to run the code.');
    const visible = await page.evaluate(() => document.body.innerText);
    expect(visible).not.toMatch(/Ctrl\+|⌘|Esc stops/);
    await page.close();
  });

  it('brings the output into view after Run, with a narrow line-number margin', async () => {
    const code = Array.from({ length: 12 }, (_, i) => `print("line ${i + 1}")`).join('\n') + '\n';
    const page = await openPage(phone, code);
    const { margin, editor } = await gutter(page);
    console.log(`phone gutter: ${margin.toFixed(1)} px of ${editor.toFixed(1)} px (${((100 * margin) / editor).toFixed(1)}%)`);
    expect(margin / editor).toBeLessThan(0.1);
    // Before the run the output starts low, under the editor and the input: less than 40% of the screen is left for it.
    const output = page.getByRole('region', { name: 'Output', exact: true });
    const heading = output.getByRole('heading', { name: 'Output', exact: true });
    const before = await heading.boundingBox();
    expect(before && before.y > PHONE.height * 0.6).toBe(true);
    await screenshot(page, 'mobile-before-run');

    await page.getByRole('button', { name: 'Run', exact: true }).tap();
    await page.locator('[data-testid="status-badge"][data-status="success"]').waitFor({ timeout: 15_000 });
    // Scrolled up (smoothly): the output's heading near the top, the output under it.
    await expect.poll(async () => ((await heading.boundingBox())?.y ?? PHONE.height) < PHONE.height * 0.6).toBe(true);
    await expect.poll(() => page.evaluate(() => window.scrollY)).toBeGreaterThan(0);
    expect(await inViewport(page, heading)).toBe(true);
    await scrollSettled(page);
    await expect.poll(() => inViewport(page, page.getByTestId('status-badge'))).toBe(true);
    const stdout = await page.getByTestId('stdout').boundingBox();
    expect(stdout && stdout.y < PHONE.height).toBe(true);
    // The focus did not go to the editor (no on-screen keyboard over the output).
    expect(await activeInEditor(page)).toBe(false);
    await screenshot(page, 'mobile-after-run');
    expect(errorsOf.get(page)).toEqual([]);
    await page.close();
  });

  it('marks the line of an exception by its number in the narrow margin', async () => {
    const page = await openPage(phone, 'x = 1\ny = 0\nprint(x / y)\n');
    await page.getByRole('button', { name: 'Run', exact: true }).tap();
    await page.locator('[data-testid="status-badge"][data-status="runtime_error"]').waitFor({ timeout: 15_000 });
    const marked = page.locator('.monaco-editor .line-numbers.execbox-error-line-number');
    await marked.waitFor();
    expect(await marked.textContent()).toBe('3');
    expect(await page.locator('.execbox-error-glyph').count()).toBe(0);
    // The output came up; back to the editor to see the line.
    await scrollSettled(page);
    expect(await inViewport(page, page.getByTestId('exception'))).toBe(true);
    await page.evaluate(() => window.scrollTo({ top: 0, behavior: 'instant' }));
    await scrollSettled(page);
    await screenshot(page, 'mobile-runtime-error');
    await page.close();
  });

  it('shows whole example titles, and puts the draft back exactly after an example replaced it', async () => {
    const page = await openPage(phone, DRAFT_CODE, DRAFT_STDIN);
    await page.getByTestId('examples').tap();
    const menu = page.getByTestId('examples-menu');
    await menu.waitFor();
    expect(await clippedItems(page)).toEqual([]);
    expect(await inViewport(page, menu)).toBe(true);
    await screenshot(page, 'examples-menu-390');

    await page.getByTestId('example-stdin').tap();
    await menu.waitFor({ state: 'detached' });
    await expect.poll(() => editorText(page)).toContain('statistics.median');
    expect(await page.getByLabel('Standard input').inputValue()).toBe('4\n3.5\n1\n9\n2.25\n');
    const bar = page.getByTestId('draft-restore');
    expect(await bar.textContent()).toMatch(/Loaded the example.*Reading standard input/);
    // On a touch screen the focus stays on the menu's button: no on-screen keyboard pops up.
    expect(await activeTestId(page)).toBe('examples');
    await screenshot(page, 'examples-back-to-draft-390');

    await bar.getByRole('button', { name: 'Back to your draft' }).tap();
    expect(await page.getByLabel('Standard input').inputValue()).toBe(DRAFT_STDIN);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('execbox:code'))).toBe(JSON.stringify(DRAFT_CODE));
    expect(await page.evaluate(() => localStorage.getItem('execbox:stdin'))).toBe(JSON.stringify(DRAFT_STDIN));
    // Monaco draws the restored text on a later frame than the one that stored it.
    await expect.poll(() => editorText(page)).toContain('    return x * 2');
    expect(await bar.textContent()).toBe('');
    await screenshot(page, 'examples-restored-390');
    expect(errorsOf.get(page)).toEqual([]);
    await page.close();
  });
});

describe('on a desktop (1280 px, mouse and keyboard)', () => {
  it('names the keys, keeps the margin, and leaves the output where it is after Run', async () => {
    const page = await openPage(desktop, 'print("hello")\n');
    expect(await page.getByTestId('key-hints').textContent()).toBe(
      'Ctrl+Enter runs · Esc stops · Ctrl+S shares · Ctrl+M lets Tab leave the editor',
    );
    expect(await page.getByTestId('key-hints').isVisible()).toBe(true);
    expect(await page.getByTestId('run-key').isVisible()).toBe(true);
    const { margin, editor } = await gutter(page);
    console.log(`desktop gutter: ${margin.toFixed(1)} px of ${editor.toFixed(1)} px`);
    expect(await page.locator('.monaco-editor .glyph-margin').count()).toBeGreaterThan(0);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await page.locator('[data-testid="status-badge"][data-status="success"]').waitFor({ timeout: 15_000 });
    expect(await page.evaluate(() => window.scrollY)).toBe(0);
    await page.close();
  });

  it('reaches the editor first after the skip link, and leaves it with Ctrl+M, Tab', async () => {
    const page = await openPage(desktop, 'print("hello")\n');
    await page.keyboard.press('Tab');
    expect(await activeTestId(page)).toBe('skip-link');
    expect(await page.getByTestId('skip-link').isVisible()).toBe(true);
    await screenshot(page, 'keyboard-skip-link-1280');
    await page.keyboard.press('Tab');
    expect(await activeInEditor(page)).toBe(true);
    // Tab indents in the editor...
    await page.keyboard.press('Tab');
    expect(await activeInEditor(page)).toBe(true);
    // ...until Ctrl+M: Tab then moves on, to the input under the editor, then to Run.
    await page.keyboard.press('Control+KeyM');
    await page.getByTestId('tab-moves-focus').waitFor();
    await screenshot(page, 'keyboard-tab-moves-focus-1280');
    await page.keyboard.press('Tab');
    expect(await activeInEditor(page)).toBe(false);
    expect(await activeTestId(page)).toBe('stdin');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toMatch(/Run/);

    // The skip link itself goes to the input.
    await page.reload();
    await page.locator('.monaco-editor .view-line').first().waitFor();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    expect(await activeTestId(page)).toBe('stdin');
    expect(new URL(page.url()).hash).toBe('');
    expect(errorsOf.get(page)).toEqual([]);
    await page.close();
  });

  it('works the Examples menu by keyboard, with whole titles, and goes back to the draft', async () => {
    const page = await openPage(desktop, DRAFT_CODE, DRAFT_STDIN);
    await page.getByTestId('examples').focus();
    await page.keyboard.press('Enter');
    const menu = page.getByTestId('examples-menu');
    await menu.waitFor();
    expect(await clippedItems(page)).toEqual([]);
    expect(await inViewport(page, menu)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('role'))).toBe('menuitem');
    await page.keyboard.press('End');
    await page.keyboard.press('ArrowUp');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('A runtime error');
    await screenshot(page, 'examples-menu-1280');
    // Escape closes the menu only.
    await page.keyboard.press('Escape');
    await menu.waitFor({ state: 'detached' });
    expect(await activeTestId(page)).toBe('examples');

    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('l');
    await page.keyboard.press('Enter');
    await expect.poll(() => editorText(page)).toContain('Lift-off');
    expect(await page.getByLabel('Standard input').inputValue()).toBe('');
    // With a keyboard, the focus goes to the example's code.
    expect(await activeInEditor(page)).toBe(true);
    await screenshot(page, 'examples-back-to-draft-1280');

    await page.getByRole('button', { name: 'Back to your draft' }).click();
    expect(await page.getByLabel('Standard input').inputValue()).toBe(DRAFT_STDIN);
    await expect.poll(() => page.evaluate(() => localStorage.getItem('execbox:code'))).toBe(JSON.stringify(DRAFT_CODE));
    expect(await activeInEditor(page)).toBe(true);
    expect(await page.getByTestId('draft-restore').textContent()).toBe('');
    // A reload finds the draft, as put back.
    await page.reload();
    await expect.poll(() => editorText(page)).toContain('def double(x):');
    expect(await page.getByLabel('Standard input').inputValue()).toBe(DRAFT_STDIN);
    expect(errorsOf.get(page)).toEqual([]);
    await page.close();
  });
});
