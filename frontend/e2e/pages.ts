// A playground page as the e2e tests open it: a draft in the editor, its errors collected.
import type { Page } from 'playwright-core';

import type { Browser } from './browser';

const errorsOf = new WeakMap<Page, string[]>();

export interface PageOptions {
  /** The viewport's width (a phone below 640 px); unset: the browser's. */
  width?: number;
  /** Whether console errors count as problems (not on a page whose refused request the browser logs). */
  consoleErrors?: boolean;
}

/** A page of `base` with `code` as the saved draft (typed as is, no auto-indent) and an empty stdin. */
export async function openPage(browser: Browser, base: string, code: string, options: PageOptions = {}): Promise<Page> {
  const page = await browser.context.newPage();
  if (options.width !== undefined) await page.setViewportSize({ width: options.width, height: options.width < 640 ? 844 : 800 });
  const errors: string[] = [];
  errorsOf.set(page, errors);
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  if (options.consoleErrors ?? true) {
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
  }
  await page.addInitScript((draft) => {
    localStorage.setItem('execbox:code', JSON.stringify(draft));
    localStorage.setItem('execbox:stdin', JSON.stringify(''));
  }, code);
  await page.goto(base);
  await page.locator('.monaco-editor').first().waitFor();
  return page;
}

/** The page errors and (unless switched off) console errors seen on `page` so far. */
export function pageErrors(page: Page): string[] {
  return errorsOf.get(page) ?? [];
}

export async function run(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Run', exact: true }).click();
}

export async function waitForStatus(page: Page, status: string, timeout = 20_000): Promise<void> {
  await page.locator(`[data-testid="status-badge"][data-status="${status}"]`).waitFor({ timeout });
}
