// Runs that wait for their turn, against the real server and sandbox: a server with one sandbox
// busy, and a client that has its share of runs alive. The page says where its run is in the
// line (instead of a silent spinner), Stop takes it out of the line, and the run starts, with its
// clock, once its turn comes.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launch, screenshot, type Browser } from './browser';
import { openPage, pageErrors, run, waitForStatus } from './pages';
import { startServer, type Server } from './server';

/** One sandbox: a second run waits for it (`server_full`); no per-client share. */
let oneSandbox: Server;
/** Two sandboxes, one run alive per client: a client's second run waits for its first (`client_share`). */
let oneRunEach: Server;
let browser: Browser;

const SLEEPER = "import time\ntime.sleep(6)\nprint('a done')\n";

beforeAll(async () => {
  oneSandbox = await startServer('queued', { RATE_LIMIT: '1000/minute', SANDBOX_LIVE_RUNS: '1', CLIENT_RUNS_ALIVE: '0' });
  oneRunEach = await startServer('queued-share', { RATE_LIMIT: '1000/minute', SANDBOX_LIVE_RUNS: '2', CLIENT_RUNS_ALIVE: '1' });
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await oneRunEach?.stop();
  await oneSandbox?.stop();
});

/** Runs the sleeper on `page` and waits until it runs (its clock shows). */
async function occupy(page: Page): Promise<void> {
  await run(page);
  await page.getByTestId('elapsed').waitFor({ timeout: 15_000 });
}

/** Waits until `page` shows `label` for its queued run, and checks the rest of the waiting state. */
async function expectQueued(page: Page, label: string, reason: string): Promise<void> {
  const queued = page.getByTestId('queued');
  await queued.filter({ hasText: label }).waitFor({ timeout: 10_000 });
  expect(await queued.textContent()).toBe(label);
  expect(await queued.getAttribute('data-reason')).toBe(reason);
  // The live region says it too, with why.
  expect(await page.getByTestId('run-status').textContent()).toMatch(new RegExp(`^${label.replace(/[()]/g, '\\$&')}: `));
  // No clock while it waits, no input field, and Stop is there.
  expect(await page.getByTestId('elapsed').count()).toBe(0);
  expect(await page.getByTestId('live-stdin').count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Stop', exact: true }).isVisible()).toBe(true);
}

describe('a run that waits for its turn', () => {
  it('waits for a free sandbox, next in line, then runs once the busy one is free', async () => {
    const a = await openPage(browser, oneSandbox.url, SLEEPER);
    const b = await openPage(browser, oneSandbox.url, "print('b')\n");
    await occupy(a);
    await run(b);
    await expectQueued(b, 'Waiting for a free sandbox (next in line)', 'server_full');
    expect(await b.getByTestId('stdout').textContent()).toBe('The program starts when its turn comes.');
    await screenshot(b, 'queued-server-full');
    // Still in line a second later: the sandbox is A's for 6 s.
    await b.waitForTimeout(1_000);
    expect(await b.getByTestId('queued').count()).toBe(1);
    expect(await b.getByTestId('status-badge').count()).toBe(0);

    await waitForStatus(b, 'success');
    expect(await b.getByTestId('stdout').textContent()).toBe('b\n');
    expect(await b.getByTestId('queued').count()).toBe(0);
    // B ran after A: A is done by now.
    await waitForStatus(a, 'success', 5_000);
    expect(await a.getByTestId('stdout').textContent()).toBe('a done\n');
    // B's wall time is its own run's, not the wait.
    const wall = (await b.getByTestId('metrics').textContent()) ?? '';
    expect(wall).toMatch(/Wall\d+ ms/);
    expect(pageErrors(a)).toEqual([]);
    expect(pageErrors(b)).toEqual([]);
    await b.close();
    await a.close();
  });

  it('leaves the line at once when stopped while it waits', async () => {
    const a = await openPage(browser, oneSandbox.url, SLEEPER);
    const b = await openPage(browser, oneSandbox.url, "print('b')\n");
    await occupy(a);
    await run(b);
    await expectQueued(b, 'Waiting for a free sandbox (next in line)', 'server_full');
    await b.getByRole('button', { name: 'Stop', exact: true }).click();
    await b.getByTestId('run-status').filter({ hasText: 'Stopped before the program started.' }).waitFor({ timeout: 2_000 });
    expect(await b.getByTestId('queued').count()).toBe(0);
    expect(await b.getByRole('button', { name: 'Run', exact: true }).isVisible()).toBe(true);
    // A is not disturbed, and B never ran.
    await waitForStatus(a, 'success');
    await b.waitForTimeout(500);
    expect(await b.getByTestId('status-badge').count()).toBe(0);
    expect(pageErrors(a)).toEqual([]);
    expect(pageErrors(b)).toEqual([]);
    await b.close();
    await a.close();
  });

  it('waits for the client’s other run to finish; without the stream, the refusal says why', async () => {
    const a = await openPage(browser, oneRunEach.url, SLEEPER);
    const b = await openPage(browser, oneRunEach.url, "print('b')\n");
    // C's proxy passes no WebSockets: its run goes over HTTP, which does not wait.
    const c = await openPage(browser, oneRunEach.url, "print('c')\n", { consoleErrors: false });
    await c.routeWebSocket(/\/api\/v1\/code\/stream$/, (ws) => {
      void ws.close({ code: 1011, reason: 'no websockets here' });
    });
    await occupy(a);
    await run(b);
    await expectQueued(b, 'Waiting for your other runs to finish (next in line)', 'client_share');
    await screenshot(b, 'queued-client-share');

    await run(c);
    const problem = c.getByTestId('problem');
    await problem.waitFor({ timeout: 10_000 });
    expect(await problem.getAttribute('data-kind')).toBe('client-share');
    const sentence = (await problem.textContent()) ?? '';
    expect(sentence).toMatch(/^\d+ of your runs? (is|are) still running\b.*You can run again (in \d+ seconds?|now)\.$/);
    await screenshot(c, 'client-share-refused');

    await waitForStatus(b, 'success');
    expect(await b.getByTestId('stdout').textContent()).toBe('b\n');
    await waitForStatus(a, 'success', 5_000);
    for (const page of [a, b, c]) expect(pageErrors(page)).toEqual([]);
    await c.close();
    await b.close();
    await a.close();
  });
});
