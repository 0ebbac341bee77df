import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launch, screenshot, typeCode, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer('rate-limit', { SANDBOX_FIRST_UID: '64720', RATE_LIMIT: '2/minute' });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('rate limiting', () => {
  it('tells the person how long to wait on the third run, counting down', async () => {
    const page = await browser.context.newPage();
    await page.goto(server.url);
    await page.locator('.monaco-editor').first().waitFor();
    await typeCode(page, 'print("ok")\n');
    const status = page.getByTestId('run-status');
    for (let i = 0; i < 2; i += 1) {
      await page.keyboard.press('ControlOrMeta+Enter');
      await status.filter({ hasText: /ran successfully/ }).waitFor();
      await status.filter({ hasNotText: /Running/ }).waitFor();
    }
    await page.keyboard.press('ControlOrMeta+Enter');
    const problem = page.getByTestId('problem');
    await problem.waitFor();
    expect(await problem.getAttribute('data-kind')).toBe('rate-limited');
    const first = (await problem.textContent()) ?? '';
    const match = /run again in (\d+) seconds?/.exec(first);
    expect(match, first).not.toBeNull();
    const seconds = Number(match?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);
    // The countdown ticks.
    await expect
      .poll(async () => Number(/in (\d+) second/.exec((await problem.textContent()) ?? '')?.[1] ?? seconds), { timeout: 5_000 })
      .toBeLessThan(seconds);
    await screenshot(page, 'rate-limited-light');
    await page.close();
  });
});
