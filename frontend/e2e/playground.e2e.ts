import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { editorText, launch, pickExample, screenshot, typeCode, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer('main', { RATE_LIMIT: '1000/minute' });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function openPlayground(path = '/'): Promise<Page> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  (page as Page & { jsErrors?: string[] }).jsErrors = errors;
  await page.goto(server.url + path);
  await page.locator('.monaco-editor').first().waitFor();
  return page;
}

function jsErrors(page: Page): string[] {
  return (page as Page & { jsErrors?: string[] }).jsErrors ?? [];
}

async function runAndWait(page: Page, how: 'button' | 'keyboard' = 'keyboard'): Promise<void> {
  if (how === 'button') await page.getByRole('button', { name: 'Run', exact: true }).click();
  else await page.keyboard.press('ControlOrMeta+Enter');
  await page
    .getByTestId('run-status')
    .filter({ hasNotText: /Running/ })
    .waitFor();
}

describe('the playground against the real server', () => {
  it('runs typed code with Ctrl+Enter and shows its output and metrics', async () => {
    const page = await openPlayground();
    await typeCode(page, 'import numpy as np\nprint("sum =", np.arange(5).sum())\nprint(input().upper())\n');
    await page.getByLabel('Standard input').fill('hello stdin');
    await page.locator('.monaco-editor .view-lines').first().click();
    await runAndWait(page);
    await expect.poll(() => page.getByTestId('stdout').textContent()).toBe('sum = 10\nHELLO STDIN\n');
    expect(await page.getByTestId('status-badge').getAttribute('data-status')).toBe('success');
    expect(await page.getByTestId('metrics').textContent()).toMatch(/Wall.*CPU.*Peak memory.*MiB/);
    expect(await page.getByTestId('run-status').textContent()).toMatch(/ran successfully/);
    await screenshot(page, 'run-success-light');
    expect(jsErrors(page)).toEqual([]);
    await page.close();
  });

  it('highlights the line of a runtime error', async () => {
    const page = await openPlayground();
    await typeCode(page, 'x = 1\ny = 0\nprint(x / y)\n');
    await runAndWait(page, 'button');
    expect(await page.getByTestId('status-badge').getAttribute('data-status')).toBe('runtime_error');
    expect(await page.getByTestId('exception').textContent()).toMatch(/ZeroDivisionError.*Go to line 3/);
    expect(await page.getByTestId('stderr').textContent()).toMatch(/line 3/);
    await page.locator('.execbox-error-glyph').waitFor();
    // The highlighted line is the third one: same vertical position as the glyph.
    const glyphTop = await page
      .locator('.execbox-error-glyph')
      .first()
      .evaluate((e) => e.getBoundingClientRect().top);
    const line3Top = await page.locator('.monaco-editor .line-numbers', { hasText: /^3$/ }).evaluate((e) => e.getBoundingClientRect().top);
    expect(Math.abs(glyphTop - line3Top)).toBeLessThan(3);
    expect(await page.locator('.execbox-error-line').count()).toBe(1);
    await screenshot(page, 'runtime-error-light');
    await page.close();
  });

  it('shows a policy violation as an editor marker and in the output panel', async () => {
    const page = await openPlayground();
    await pickExample(page, 'policy');
    await expect.poll(() => editorText(page)).toMatch(/^import os/);
    await runAndWait(page);
    const violations = page.getByTestId('violations');
    await violations.waitFor();
    expect(await violations.textContent()).toMatch(/line 1:\d+.*os/);
    // Monaco draws markers as squiggly decorations.
    await page.locator('.monaco-editor .squiggly-error').first().waitFor();
    await screenshot(page, 'policy-violation-light');
    // Keyboard: the violation's button moves the editor cursor there.
    await violations.getByRole('button').first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => document.activeElement?.closest('.monaco-editor') !== null)).toBe(true);
    await page.close();
  });

  it('shares a permalink (running the code first) that opens the same code and output in a new page', async () => {
    const page = await openPlayground();
    const code = 'import pandas as pd\ndf = pd.DataFrame({"a": [1, 2, 3]})\nprint(df["a"].sum() * 7)\n';
    await typeCode(page, code);
    await page.getByRole('button', { name: 'Share' }).click();
    await page.waitForURL(/\/s\/[^/]+$/);
    const link = await page.getByTestId('permalink').inputValue();
    expect(link).toBe(page.url());
    expect(await page.getByTestId('stdout').textContent()).toBe('42\n');
    // This server has no accounts (the default): no Sign in, no choice of who may read the link.
    await page.getByText(/Runtime: Python/).waitFor();
    expect(await page.getByRole('button', { name: 'Sign in' }).count()).toBe(0);
    expect(await page.getByLabel('Share as').count()).toBe(0);
    await screenshot(page, 'saved-light');

    const second = await browser.context.newPage();
    await second.goto(link);
    await second.getByTestId('stdout').filter({ hasText: '42' }).waitFor();
    await expect.poll(() => editorText(second)).toContain('print(df["a"].sum() * 7)');
    expect(await second.getByTestId('status-badge').getAttribute('data-status')).toBe('success');
    expect(await second.getByTestId('run-status').textContent()).toMatch(/ran successfully/);
    await second.close();
    await page.close();
  });

  it('shows a clear message for a permalink that does not exist', async () => {
    const page = await openPlayground('/s/does-not-exist');
    await page.getByTestId('problem').waitFor();
    expect(await page.getByTestId('problem').textContent()).toMatch(/does not exist/);
    await page.close();
  });

  it('looks right in the dark theme and on a phone-width screen', async () => {
    const page = await openPlayground();
    await page.getByLabel('Theme').selectOption('dark');
    await page.getByTestId('examples').click();
    await page.getByTestId('examples-menu').waitFor();
    await screenshot(page, 'examples-menu-dark');
    await page.keyboard.press('Escape');
    await pickExample(page, 'pandas');
    await screenshot(page, 'examples-back-to-draft-dark');
    await runAndWait(page);
    await page.getByTestId('stdout').filter({ hasText: 'Paris' }).waitFor();
    expect(await page.evaluate(() => document.documentElement.classList.contains('dark'))).toBe(true);
    expect(await page.locator('.monaco-editor.vs-dark').count()).toBeGreaterThan(0);
    await screenshot(page, 'run-success-dark');
    await page.getByTestId('runtime').locator('summary').click();
    await page.getByTestId('runtime').getByText('pandas', { exact: true }).waitFor();
    await screenshot(page, 'runtime-dark');
    await page.setViewportSize({ width: 390, height: 844 });
    await screenshot(page, 'phone-dark');
    await page.getByLabel('Theme').selectOption('system');
    expect(jsErrors(page)).toEqual([]);
    await page.close();
  });
});
