import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launch, screenshot, scrollSettled, typeCode, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer('syntax-error', { RATE_LIMIT: '1000/minute' });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function topOf(page: Page, selector: string, hasText?: RegExp): Promise<number> {
  return page
    .locator(selector, hasText ? { hasText } : {})
    .first()
    .evaluate((e) => e.getBoundingClientRect().top);
}

describe('a syntax error, answered as Python would', () => {
  for (const width of [1280, 390]) {
    it(`is named and marked at its line at ${width} px`, async () => {
      const page = await browser.context.newPage();
      await page.setViewportSize({ width, height: width > 500 ? 800 : 844 });
      await page.goto(server.url);
      await page.locator('.monaco-editor').first().waitFor();
      await typeCode(page, 'x = 1\nprint(x +)\n');
      await page.getByRole('button', { name: 'Run', exact: true }).click();

      const status = page.getByTestId('run-status');
      await status.filter({ hasText: 'SyntaxError' }).waitFor();
      expect(await status.textContent()).toBe('SyntaxError: invalid syntax (line 2). The code was not run; see the marked line.');
      const violations = page.getByTestId('violations');
      expect(await violations.textContent()).toMatch(/^line 2:10\s*SyntaxError: invalid syntax \(line 2\)/);
      expect(await page.locator('section[aria-labelledby="output-heading"]').textContent()).not.toMatch(/policy/i);

      // The marker: a squiggle on line 2, whose hover says what Python says, and who says it.
      const squiggle = page.locator('.monaco-editor .squiggly-error').first();
      await squiggle.waitFor();
      // On a phone, Run scrolled the output up: measure once the page stands still.
      await scrollSettled(page);
      const line2Top = await topOf(page, '.monaco-editor .line-numbers', /^2$/);
      expect(Math.abs((await topOf(page, '.monaco-editor .squiggly-error')) - line2Top)).toBeLessThan(3);
      // Over the text, as a person points: the squiggle itself lies under the text layer.
      await squiggle.scrollIntoViewIfNeeded();
      const box = await squiggle.boundingBox();
      if (!box) throw new Error('the squiggle has no box');
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 4);
      const hover = page.locator('.monaco-hover:visible', { hasText: 'SyntaxError' });
      await hover.waitFor();
      expect(await hover.textContent()).toMatch(/SyntaxError: invalid syntax \(line 2\)\s*Python\(syntax-error\)/);
      expect(await hover.textContent()).not.toMatch(/policy/i);

      await status.scrollIntoViewIfNeeded();
      expect(await status.isVisible()).toBe(true);
      await screenshot(page, `syntax-error-${width}`);
      await page.close();
    });
  }
});
