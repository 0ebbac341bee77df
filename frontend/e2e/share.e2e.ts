// Share: a run saved as it ended (failing, stopped or with typed input included), without running
// it again, against the real server and sandbox; the permalink opened by someone else.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { editorText, launch, screenshot, typeCode, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let browser: Browser;
/** Someone else: another browser profile, which opens the links. */
let visitor: Browser;

// Shares above 64 KiB are refused (413), so that a program printing 100 KB meets the limit.
const MAX_SHARE_BYTES = 64 * 1024;

beforeAll(async () => {
  server = await startServer('share', { RATE_LIMIT: '1000/minute', MAX_SHARE_BYTES: String(MAX_SHARE_BYTES) });
  browser = await launch();
  visitor = await launch();
});

afterAll(async () => {
  await visitor?.close();
  await browser?.close();
  await server?.stop();
});

/** What a page asked the server to run or save: live runs (the stream's socket), POST /execute, /shares, /submit. */
interface Traffic {
  streams: number;
  executes: number;
  shares: number;
  submits: number;
}

interface Watched {
  errors: string[];
  traffic: Traffic;
}

const watched = new WeakMap<Page, Watched>();

function watch(page: Page): Watched {
  const record: Watched = { errors: [], traffic: { streams: 0, executes: 0, shares: 0, submits: 0 } };
  watched.set(page, record);
  page.on('pageerror', (e) => record.errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') record.errors.push(`console: ${m.text()}`);
  });
  page.on('websocket', (ws) => {
    if (new URL(ws.url()).pathname === '/api/v1/code/stream') record.traffic.streams += 1;
  });
  page.on('request', (r) => {
    if (r.method() !== 'POST') return;
    const path = new URL(r.url()).pathname;
    if (path === '/api/v1/code/execute') record.traffic.executes += 1;
    else if (path === '/api/v1/code/shares') record.traffic.shares += 1;
    else if (path.startsWith('/api/v1/code/submit')) record.traffic.submits += 1;
  });
  return record;
}

const traffic = (page: Page): Traffic => ({ ...(watched.get(page)?.traffic ?? { streams: -1, executes: -1, shares: -1, submits: -1 }) });
const errors = (page: Page): string[] => watched.get(page)?.errors ?? [];

/**
 * A page of the app `width` px wide, its stdin box empty (the pages share localStorage, where an
 * earlier page's input was saved). `code` goes in through the app's draft restore: typing would
 * let Monaco auto-indent after a block header.
 */
async function openPage(width: number, code?: string): Promise<Page> {
  const page = await browser.context.newPage();
  await page.setViewportSize({ width, height: width < 640 ? 844 : 800 });
  watch(page);
  await page.addInitScript((draft) => {
    if (draft !== null) localStorage.setItem('execbox:code', JSON.stringify(draft));
    localStorage.setItem('execbox:stdin', JSON.stringify(''));
  }, code ?? null);
  await page.goto(server.url);
  await page.locator('.monaco-editor').first().waitFor();
  return page;
}

/** The permalink, opened in the other browser. */
async function openLink(link: string, width: number): Promise<Page> {
  const page = await visitor.context.newPage();
  await page.setViewportSize({ width, height: width < 640 ? 844 : 800 });
  watch(page);
  await page.goto(link);
  await page.locator('.monaco-editor').first().waitFor();
  return page;
}

async function waitForStatus(page: Page, status: string, timeout = 15_000): Promise<void> {
  await page.locator(`[data-testid="status-badge"][data-status="${status}"]`).waitFor({ timeout });
}

const shareButton = (page: Page) => page.getByRole('button', { name: 'Share', exact: true });

/** Clicks Share and waits for the permalink: the snippet's id. */
async function share(page: Page): Promise<string> {
  await shareButton(page).click();
  await page.waitForURL(/\/s\/[^/]+$/);
  const link = await page.getByTestId('permalink').inputValue();
  expect(link).toBe(page.url());
  return decodeURIComponent(new URL(link).pathname.slice('/s/'.length));
}

interface SavedRun {
  code: string;
  stdin: string;
  status: string;
  stdout: string;
  error: { type: string; line: number | null } | null;
}

async function savedRun(id: string): Promise<SavedRun> {
  const response = await fetch(`${server.url}/api/v1/code/submissions/${encodeURIComponent(id)}`);
  expect(response.status).toBe(200);
  return (await response.json()) as SavedRun;
}

/** On a phone the output is under the editor: scroll it into view (for the screenshot). */
async function showOutput(page: Page, width: number): Promise<void> {
  if (width < 1024) await page.locator('#output-heading').evaluate((h) => h.scrollIntoView({ block: 'start' }));
}

const noSideScroll = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);

describe('Share', () => {
  it.each([1280, 390])('shares a failing run as it ended, without running it again (%i px)', async (width) => {
    const code = 'print("before the error")\nprint(1 / 0)\n';
    const page = await openPage(width);
    await typeCode(page, code);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus(page, 'runtime_error');

    const id = await share(page);
    expect(await page.getByTestId('run-status').textContent()).toBe(
      'The program stopped with an error. Shared: the permalink above shows this code, input and output.',
    );
    expect(await page.getByTestId('run-status').textContent()).not.toMatch(/Not saved/);
    // Still the same run in view: its output and error, no new run.
    expect(await page.getByTestId('stdout').textContent()).toBe('before the error\n');
    expect(await page.getByTestId('exception').textContent()).toMatch(/ZeroDivisionError/);
    expect(traffic(page)).toEqual({ streams: 1, executes: 0, shares: 1, submits: 0 });
    expect(await noSideScroll(page)).toBe(true);
    await screenshot(page, `share-failing-shared-${width}`);
    if (width < 1024) {
      await showOutput(page, width);
      await screenshot(page, `share-failing-shared-output-${width}`);
    }

    const saved = await savedRun(id);
    expect(saved).toMatchObject({
      code,
      stdin: '',
      status: 'runtime_error',
      stdout: 'before the error\n',
      error: { type: 'ZeroDivisionError', line: 2 },
    });

    const other = await openLink(page.url(), width);
    await waitForStatus(other, 'runtime_error');
    await expect.poll(() => editorText(other)).toContain('print(1 / 0)');
    expect(await other.getByTestId('stdout').textContent()).toBe('before the error\n');
    expect(await other.getByTestId('exception').textContent()).toMatch(/ZeroDivisionError.*division by zero.*Go to line 2/);
    expect(await other.getByTestId('stderr').textContent()).toMatch(/ZeroDivisionError/);
    expect(await other.getByTestId('run-status').textContent()).toBe('The program stopped with an error.');
    expect(await other.getByText(/^Saved run from/).count()).toBe(1);
    // The line is marked: by the "!" glyph, or on a phone (no glyph margin) by its red line number.
    await other.locator(width < 640 ? '.monaco-editor .line-numbers.execbox-error-line-number' : '.execbox-error-glyph').waitFor();
    expect(traffic(other)).toEqual({ streams: 0, executes: 0, shares: 0, submits: 0 });
    expect(await noSideScroll(other)).toBe(true);
    await showOutput(other, width);
    await screenshot(other, `share-failing-permalink-${width}`);
    expect(errors(page)).toEqual([]);
    expect(errors(other)).toEqual([]);
    await other.close();
    await page.close();
  });

  it('shares a live run with the input typed into it; the link opens with that input', async () => {
    const code = 'name = input("Name? ")\nprint("Hello,", name)\nprint(len(name) / 0)\n';
    const page = await openPage(1280, code);
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    const field = page.getByTestId('live-stdin');
    await field.waitFor();
    await page.getByTestId('stdout').filter({ hasText: 'Name? ' }).waitFor();
    await field.fill('Ada Lovelace');
    await field.press('Enter');
    await waitForStatus(page, 'runtime_error');
    expect(await page.getByTestId('stdout').textContent()).toBe('Name? Ada Lovelace\nHello, Ada Lovelace\n');

    const id = await share(page);
    expect(traffic(page)).toEqual({ streams: 1, executes: 0, shares: 1, submits: 0 });
    expect(await savedRun(id)).toMatchObject({
      code,
      stdin: 'Ada Lovelace\n',
      status: 'runtime_error',
      stdout: 'Name? Hello, Ada Lovelace\n',
    });
    await screenshot(page, 'share-typed-input-shared');

    const other = await openLink(page.url(), 1280);
    await waitForStatus(other, 'runtime_error');
    expect(await other.getByLabel('Standard input').inputValue()).toBe('Ada Lovelace\n');
    expect(await other.getByTestId('stdout').textContent()).toBe('Name? Hello, Ada Lovelace\n');
    expect(await other.getByTestId('exception').textContent()).toMatch(/ZeroDivisionError/);
    await screenshot(other, 'share-typed-input-permalink');
    // The link reproduces the run: Run reads the same input and fails the same way.
    await other.getByRole('button', { name: 'Run', exact: true }).click();
    await other
      .getByTestId('run-status')
      .filter({ hasNotText: /Running|Loading/ })
      .waitFor();
    await waitForStatus(other, 'runtime_error');
    expect(await other.getByTestId('stdout').textContent()).toBe('Name? Hello, Ada Lovelace\n');
    expect(errors(page)).toEqual([]);
    expect(errors(other)).toEqual([]);
    await other.close();
    await page.close();
  });

  it('runs the code first when nothing ran yet, shares a run stopped on the way, and shares it only once', async () => {
    const page = await openPage(1280, 'import time\nprint("tick", flush=True)\ntime.sleep(60)\n');
    await shareButton(page).click();
    await page.getByTestId('stdout').filter({ hasText: 'tick' }).waitFor();
    expect(await page.getByTestId('run-status').textContent()).toBe('Running, then sharing…');
    expect(await page.getByRole('button', { name: 'Sharing…' }).isDisabled()).toBe(true);
    await screenshot(page, 'share-running-first');
    await page.getByRole('button', { name: 'Stop', exact: true }).click();
    await page.waitForURL(/\/s\/[^/]+$/);
    await waitForStatus(page, 'stopped');
    const first = page.url();
    expect(await page.getByTestId('run-status').textContent()).toMatch(/^You stopped the program\. Shared/);
    expect(traffic(page)).toEqual({ streams: 1, executes: 0, shares: 1, submits: 0 });
    const id = decodeURIComponent(new URL(first).pathname.slice('/s/'.length));
    expect(await savedRun(id)).toMatchObject({ status: 'stopped', stdout: 'tick\n' });

    // Shared already: Share (here Ctrl+S) keeps the same permalink, with no request.
    await page.locator('.monaco-editor .view-lines').first().click();
    await page.keyboard.press('ControlOrMeta+KeyS');
    await page.waitForTimeout(300);
    expect(page.url()).toBe(first);
    expect(traffic(page)).toEqual({ streams: 1, executes: 0, shares: 1, submits: 0 });

    // Changed code has no run yet: Share runs it, then shares the new run under a new link.
    await typeCode(page, 'print("changed")\n');
    expect(new URL(page.url()).pathname).toBe('/');
    await shareButton(page).click();
    await page.waitForURL((url) => url.pathname.startsWith('/s/') && url.href !== first);
    await waitForStatus(page, 'success');
    expect(await page.getByTestId('stdout').textContent()).toBe('changed\n');
    expect(traffic(page)).toEqual({ streams: 2, executes: 0, shares: 2, submits: 0 });
    expect(errors(page)).toEqual([]);
    await page.close();
  });

  it('says plainly when a run is too large to share, and keeps its output', async () => {
    const page = await openPage(1280, 'print("x" * 100_000)\n');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus(page, 'success');
    await shareButton(page).click();
    const problem = page.getByTestId('problem');
    await problem.waitFor();
    expect(await problem.getAttribute('data-kind')).toBe('too-large');
    expect(await problem.textContent()).toBe(
      'This run is too large to share: its output is more than the server keeps. Make the program print less, then share again.',
    );
    expect((await page.getByTestId('stdout').textContent())?.length).toBe(100_001);
    expect(await page.getByTestId('status-badge').getAttribute('data-status')).toBe('success');
    expect(await page.getByTestId('previous-output').count()).toBe(0);
    expect(new URL(page.url()).pathname).toBe('/');
    expect(await shareButton(page).isEnabled()).toBe(true);
    expect(traffic(page)).toEqual({ streams: 1, executes: 0, shares: 1, submits: 0 });
    await screenshot(page, 'share-too-large');
    // The browser logs the refused request itself; nothing else.
    expect(errors(page).filter((e) => !/Failed to load resource.*413/.test(e))).toEqual([]);
    await page.close();
  });
});
