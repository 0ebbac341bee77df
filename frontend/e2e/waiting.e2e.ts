// A live run that waits for input, and the time a run takes, against the real server and sandbox:
// the page says when the program is blocked reading its stdin, puts the focus in the input field
// under the output, counts the time while it runs, and names the limit that ended it.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launch, screenshot, type Browser } from './browser';
import { openPage, pageErrors, run, waitForStatus } from './pages';
import { startServer, type Server } from './server';

let server: Server;
/** The same server with a wall-time limit of 2 s: a program nobody answers runs out of time soon. */
let shortServer: Server;
let browser: Browser;

const WALL_TIME_S = 2;

beforeAll(async () => {
  server = await startServer('waiting', { RATE_LIMIT: '1000/minute' });
  shortServer = await startServer('waiting-2s', { RATE_LIMIT: '1000/minute', EXECUTION_TIMEOUT: String(WALL_TIME_S) });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await shortServer?.stop();
  await server?.stop();
});

const hasFocus = (page: Page, testId: string) => page.getByTestId(testId).evaluate((el) => el === document.activeElement);

/** The seconds the running clock shows ("3.4 s"). */
async function elapsedSeconds(page: Page): Promise<number> {
  const text = (await page.getByTestId('elapsed').textContent()) ?? '';
  const match = /^(\d+\.\d) s$/.exec(text);
  if (!match) throw new Error(`unexpected elapsed time: ${JSON.stringify(text)}`);
  return Number(match[1]);
}

describe.each([1280, 390])('at %i px', (width) => {
  it('says the program waits for input, focuses the field under the output, and goes on once answered', async () => {
    const code = 'import time\nname = input("name? ")\nprint(f"Hello, {name}!")\ntime.sleep(1)\nprint("done")\n';
    const page = await openPage(browser, server.url, code, { width });
    await run(page);

    const waiting = page.getByTestId('waiting-for-input');
    await waiting.waitFor({ timeout: 10_000 });
    expect(await waiting.textContent()).toBe('Waiting for input');
    expect(await page.getByTestId('run-status').textContent()).toMatch(/^Waiting for input: the program is reading a line\./);
    expect(await page.getByTestId('stdout').textContent()).toBe('name? ');
    expect(await page.getByTestId('live-stdin-row').getAttribute('data-waiting')).toBe('true');
    // The focus is in the field, without a click.
    await expect.poll(() => hasFocus(page, 'live-stdin')).toBe(true);
    // The clock runs while it waits.
    expect(await page.getByTestId('elapsed').isVisible()).toBe(true);

    // In the output panel, right under the output; on a wide page in the right-hand column, next
    // to the editor; on a phone under the stdin box (no longer at the bottom of the left column).
    const panel = page.getByRole('region', { name: 'Output', exact: true });
    expect(await panel.getByTestId('live-stdin').count()).toBe(1);
    const [field, stdout, stdinBox, editor] = await Promise.all([
      page.getByTestId('live-stdin').boundingBox(),
      page.getByTestId('stdout').boundingBox(),
      page.getByLabel('Standard input').boundingBox(),
      page.locator('.monaco-editor').first().boundingBox(),
    ]);
    if (!field || !stdout || !stdinBox || !editor) throw new Error('a box is not laid out');
    expect(field.y).toBeGreaterThanOrEqual(stdout.y + stdout.height);
    expect(field.y - (stdout.y + stdout.height)).toBeLessThan(60);
    if (width >= 1024) {
      expect(field.x).toBeGreaterThanOrEqual(editor.x + editor.width);
    } else {
      expect(field.y).toBeGreaterThan(stdinBox.y + stdinBox.height);
    }
    // Focused means in view (the phone scrolled to it).
    const viewport = page.viewportSize() ?? { width, height: 800 };
    expect(field.y + field.height).toBeLessThanOrEqual(viewport.height);
    expect(field.y).toBeGreaterThanOrEqual(0);
    await screenshot(page, `waiting-for-input-${width}`);

    // Typed where the focus is: the program reads it and goes on; the waiting state goes.
    await page.keyboard.type('Ada');
    await page.keyboard.press('Enter');
    await page.getByTestId('stdout').filter({ hasText: 'Hello, Ada!' }).waitFor();
    await waiting.waitFor({ state: 'detached', timeout: 5_000 });
    expect(await page.getByTestId('run-progress').textContent()).toMatch(/^Running·\d+\.\d s$/);
    expect(await page.getByTestId('run-status').textContent()).toBe('Running…');
    await screenshot(page, `waiting-answered-${width}`);

    await waitForStatus(page, 'success');
    expect(await page.getByTestId('stdout').textContent()).toBe('name? Ada\nHello, Ada!\ndone\n');
    expect(await page.getByTestId('live-stdin').count()).toBe(0);
    expect(await page.getByTestId('elapsed').count()).toBe(0);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it('counts the time while the program runs, then shows its wall time', async () => {
    const page = await openPage(browser, server.url, 'import time\ntime.sleep(1.5)\nprint("slept")\n', { width });
    await run(page);
    const elapsed = page.getByTestId('elapsed');
    await elapsed.waitFor({ timeout: 10_000 });
    const first = await elapsedSeconds(page);
    await page.waitForTimeout(600);
    const second = await elapsedSeconds(page);
    console.log(`elapsed at ${width} px: ${first} s, then ${second} s`);
    expect(second - first).toBeGreaterThanOrEqual(0.4);
    expect(await page.getByTestId('run-progress').textContent()).toMatch(/^Running·\d+\.\d s$/);
    await screenshot(page, `waiting-elapsed-${width}`);
    await waitForStatus(page, 'success');
    expect(await elapsed.count()).toBe(0);
    const wall = (await page.getByTestId('metrics').textContent()) ?? '';
    const seconds = Number(/Wall(\d+\.\d+) s/.exec(wall)?.[1] ?? Number.NaN);
    expect(seconds).toBeGreaterThanOrEqual(1.5);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });

  it(`names the ${WALL_TIME_S} s wall-time limit of a program that waited for input that never came`, async () => {
    const page = await openPage(browser, shortServer.url, 'name = input("name? ")\nprint(name)\n', { width });
    await run(page);
    await page.getByTestId('waiting-for-input').waitFor({ timeout: 10_000 });
    await waitForStatus(page, 'timeout', 15_000);
    const sentence = (await page.getByTestId('run-status').textContent()) ?? '';
    expect(sentence).toBe(
      `The program ran out of time: the wall-time limit of ${WALL_TIME_S} s. It was waiting for input that never came: ` +
        'type a line in the input field when it asks, or put the input in the Standard input box before you run it.',
    );
    expect(await page.getByTestId('status-badge').textContent()).toBe('Timed out');
    expect(await page.getByTestId('status-badge').getAttribute('title')).toBe(sentence);
    expect(await page.getByTestId('live-stdin').count()).toBe(0);
    expect(await page.getByTestId('waiting-for-input').count()).toBe(0);
    expect(await page.getByTestId('stdout').textContent()).toBe('name? ');
    // The page stays on the result (the focus went back to the editor without scrolling away).
    const status = await page.getByTestId('run-status').boundingBox();
    expect(status && status.y >= 0 && status.y + status.height <= (page.viewportSize()?.height ?? 0)).toBe(true);
    await screenshot(page, `waiting-timeout-${width}`);
    expect(pageErrors(page)).toEqual([]);
    await page.close();
  });
});
