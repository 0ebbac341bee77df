import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { launch, screenshot, type Browser } from './browser';
import { startServer, type Server } from './server';

let server: Server;
let browser: Browser;

beforeAll(async () => {
  server = await startServer('api-docs', {});
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

interface Opened {
  page: Page;
  /** Requests to any other host: aborted, as they would fail offline. */
  offsite: string[];
  /** Uncaught errors and console errors, which is where Chromium reports CSP violations. */
  errors: string[];
}

async function open(path: string): Promise<Opened> {
  const page = await browser.context.newPage();
  const opened: Opened = { page, offsite: [], errors: [] };
  const origin = new URL(server.url).origin;
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (new URL(url).origin === origin) return route.continue();
    opened.offsite.push(url);
    return route.abort('internetdisconnected');
  });
  page.on('pageerror', (e) => opened.errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error') opened.errors.push(m.text());
  });
  const response = await page.goto(server.url + path);
  expect(response?.headers()['content-security-policy']).toContain("script-src 'self';");
  return opened;
}

describe('the API docs, offline and under the CSP', () => {
  it('Swagger UI renders the operations and runs one against the API', async () => {
    const { page, offsite, errors } = await open('/docs');
    const execute = page.locator('.opblock', { hasText: '/api/v1/code/execute' });
    await execute.first().waitFor();
    const runtime = page.locator('.opblock-get', { hasText: '/api/v1/runtime' });
    await runtime.locator('.opblock-summary').click();
    await runtime.getByRole('button', { name: 'Try it out' }).click();
    await runtime.getByRole('button', { name: 'Execute' }).click();
    await runtime.locator('.live-responses-table .response-col_status', { hasText: '200' }).waitFor();
    await screenshot(page, 'api-docs-swagger');
    expect(offsite).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ReDoc renders the API and searches it in its blob: worker', async () => {
    const { page, offsite, errors } = await open('/redoc');
    await page.locator('h1', { hasText: 'execbox' }).waitFor();
    await page.locator('h2', { hasText: 'Execute' }).first().waitFor();
    await page.getByText('/api/v1/code/execute', { exact: true }).first().waitFor();
    await page.getByPlaceholder('Search...').fill('submissions');
    await page.locator('[data-role="search:results"]', { hasText: 'List Submissions' }).waitFor();
    await screenshot(page, 'api-docs-redoc');
    expect(offsite).toEqual([]);
    expect(errors).toEqual([]);
    await page.close();
  });
});
