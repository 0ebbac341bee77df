// Debian's Chromium driven by playwright-core (no browser download): headless, fresh profile.
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { chromium, type BrowserContext, type Page } from 'playwright-core';

import { RESULTS } from './server';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
  '--disable-quic',
];

export const SCREENSHOTS = join(RESULTS, 'screenshots');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

export interface LaunchOptions {
  colorScheme?: 'light' | 'dark';
  width?: number;
  height?: number;
  /** A phone: touch events, a coarse pointer that cannot hover, the mobile viewport. */
  touch?: boolean;
}

export async function launch(options: LaunchOptions = {}): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'execbox-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ARGS,
    viewport: { width: options.width ?? 1280, height: options.height ?? 800 },
    colorScheme: options.colorScheme ?? 'light',
    ...(options.touch ? { hasTouch: true, isMobile: true } : {}),
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`) });
}

/** Replaces the editor's text the way a person would: focus, select all, type. */
export async function typeCode(page: Page, code: string): Promise<void> {
  const editor = page.locator('.monaco-editor textarea').first();
  await editor.waitFor({ state: 'attached' });
  await page.locator('.monaco-editor .view-lines').first().click();
  await page.keyboard.press('ControlOrMeta+KeyA');
  await page.keyboard.press('Delete');
  // Monaco auto-indents and auto-closes brackets while typing; insertText keeps the code exact.
  await page.keyboard.insertText(code);
}

export async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lines = Array.from(document.querySelectorAll('.monaco-editor .view-line'));
    return lines.map((l) => (l.textContent ?? '').replace(/\u00a0/g, ' ')).join('\n');
  });
}

/** Picks an example from the Examples menu with the mouse. */
export async function pickExample(page: Page, id: string): Promise<void> {
  await page.getByTestId('examples').click();
  await page.getByTestId(`example-${id}`).click();
  await page.getByTestId('examples-menu').waitFor({ state: 'detached' });
}

/** Resolves once the page has not scrolled for 300 ms (a smooth scroll is over). */
export async function scrollSettled(page: Page): Promise<void> {
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        let timer = window.setTimeout(done, 300);
        function done() {
          window.removeEventListener('scroll', onScroll);
          resolve();
        }
        function onScroll() {
          window.clearTimeout(timer);
          timer = window.setTimeout(done, 300);
        }
        window.addEventListener('scroll', onScroll);
      }),
  );
}
