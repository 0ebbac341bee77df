import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launch, screenshot, typeCode, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer('rate-limit', { RATE_LIMIT: '2/minute' });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe('rate limiting', () => {
  it('tells the person the limit and how long to wait on the third run, counting down, with the last output kept', async () => {
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
    expect(first).toContain('Too many runs in a short time (limit: 2 runs a minute).');
    const match = /run again in (\d+) seconds?/.exec(first);
    expect(match, first).not.toBeNull();
    const seconds = Number(match?.[1]);
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(60);

    // The refused run never started: the second run's output and status stay, under the banner.
    expect(await page.getByTestId('stdout').textContent()).toContain('ok');
    expect(await page.getByTestId('status-badge').getAttribute('data-status')).toBe('success');
    expect(await page.getByTestId('previous-output').isVisible()).toBe(true);
    const problemBox = await problem.boundingBox();
    const stdoutBox = await page.getByTestId('stdout').boundingBox();
    expect(problemBox && stdoutBox && stdoutBox.y > problemBox.y).toBe(true);

    // The countdown ticks.
    await expect
      .poll(async () => Number(/in (\d+) second/.exec((await problem.textContent()) ?? '')?.[1] ?? seconds), { timeout: 5_000 })
      .toBeLessThan(seconds);
    await screenshot(page, 'rate-limited-1280');

    // On a phone the output is below the editor: scrolled to it, the banner and the kept output share the screen.
    await page.setViewportSize({ width: 390, height: 844 });
    await page.locator('#output-heading').evaluate((heading) => heading.scrollIntoView({ block: 'start' }));
    const stdout = page.getByTestId('stdout');
    expect(await stdout.textContent()).toContain('ok');
    const phoneStdoutBox = await stdout.boundingBox();
    expect(phoneStdoutBox && phoneStdoutBox.y + phoneStdoutBox.height <= 844).toBe(true);
    await screenshot(page, 'rate-limited-390');
    await page.close();
  });
});
