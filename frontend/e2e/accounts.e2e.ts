// Accounts in the web UI against a real server with ACCOUNTS_ENABLED: create an account, sign in,
// save a private run, find it in My submissions, open it, delete it; make an API key and run code
// with it as a program would; a reload keeps the tab signed in; sign out. The menu says what the
// account may run, as the server's /users/me does. Then the same by
// keyboard alone, and on a phone. (playground.e2e.ts checks that a server without accounts shows none.)
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { editorText, launch, screenshot, type Browser } from './browser';
import { openPage, pageErrors, waitForStatus } from './pages';
import { startServer, type Server } from './server';

let server: Server;
let desktop: Browser;
let phone: Browser;

const PASSWORD = 'correct horse battery';

beforeAll(async () => {
  server = await startServer('accounts', {
    ACCOUNTS_ENABLED: 'true',
    ANONYMOUS_RUNS: 'false',
    RATE_LIMIT: '1000/minute',
    LOGIN_RATE_LIMIT: '1000/minute',
    // Not the defaults, so that the menu's words are seen to come from the server.
    USER_RATE_LIMIT: '1000/hour;100/minute',
    USER_RUNS_ALIVE: '3',
  });
  desktop = await launch();
  phone = await launch({ width: 390, height: 844, touch: true });
});

afterAll(async () => {
  await phone?.close();
  await desktop?.close();
  await server?.stop();
});

const dialog = (page: Page, name: string) => page.getByRole('dialog', { name });
const accountButton = (page: Page, email: string) => page.getByRole('button', { name: `Account: ${email}` });

async function fillSignIn(page: Page, email: string, mode: 'Sign in' | 'Create an account'): Promise<void> {
  await page.getByRole('button', { name: 'Sign in' }).click();
  const form = dialog(page, 'Sign in');
  await form.waitFor();
  if (mode === 'Create an account') await form.getByRole('button', { name: 'No account yet? Create one' }).click();
  const current = dialog(page, mode);
  await current.getByLabel('E-mail address').fill(email);
  await current.getByLabel('Password').fill(PASSWORD);
  await current.getByRole('button', { name: mode === 'Sign in' ? 'Sign in' : 'Create account' }).click();
  await accountButton(page, email).waitFor();
}

async function openMenuItem(page: Page, email: string, item: string): Promise<void> {
  await accountButton(page, email).click();
  await page.getByRole('menuitem', { name: item }).click();
}

describe('accounts in the web UI', () => {
  it('registers, signs in, saves a private run, opens and deletes it, makes a key, stays signed in on reload, signs out', async () => {
    const email = 'ada@example.org';
    const code = 'print("private hello")';
    const page = await openPage(desktop, server.url, code);

    // Register (which signs in), sign out, and sign in again with the form.
    await fillSignIn(page, email, 'Create an account');
    expect(await dialog(page, 'Create an account').count()).toBe(0);
    // The menu says what the account may run (its tier's limits, as GET /users/me answers them).
    await accountButton(page, email).click();
    expect(await page.getByTestId('account-limits').textContent()).toBe('Your limits: 100 runs a minute, 1000 an hour ·, 3 at once');
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await fillSignIn(page, email, 'Sign in');

    // A wrong password is said as the server says it.
    await openMenuItem(page, email, 'Sign out');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await dialog(page, 'Sign in').getByLabel('E-mail address').fill(email);
    await dialog(page, 'Sign in').getByLabel('Password').fill('wrong password');
    await dialog(page, 'Sign in').getByLabel('Password').press('Enter');
    await dialog(page, 'Sign in').getByRole('alert').filter({ hasText: 'The e-mail address or the password is wrong.' }).waitFor();
    await page.keyboard.press('Escape');
    await fillSignIn(page, email, 'Sign in');

    // Run, then save it privately.
    await page.getByLabel('Share as').selectOption('private');
    await page.getByRole('button', { name: 'Run', exact: true }).click();
    await waitForStatus(page, 'success');
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    await page.waitForURL(/\/s\/[^/]+$/);
    const id = decodeURIComponent(new URL(page.url()).pathname.split('/').pop() ?? '');
    const token = await page.evaluate(() => sessionStorage.getItem('execbox:accessToken'));
    expect(token).toBeTruthy();
    const url = `${server.url}/api/v1/code/submissions/${encodeURIComponent(id)}`;
    // Private: nobody else reads it, its owner does.
    expect((await page.request.get(url)).status()).toBe(404);
    const owned = await page.request.get(url, { headers: { Authorization: `Bearer ${token ?? ''}` } });
    expect(owned.status()).toBe(200);
    expect(await owned.json()).toMatchObject({ visibility: 'private', code });

    // My submissions lists it; Open loads it as its permalink does.
    await page.goto(server.url);
    await accountButton(page, email).waitFor();
    await openMenuItem(page, email, 'My submissions');
    const panel = dialog(page, 'My submissions');
    const row = panel.getByTestId('submission').filter({ hasText: code });
    await row.waitFor();
    expect(await row.textContent()).toMatch(/Success.*Private/);
    await screenshot(page, 'accounts-submissions');
    await row.getByRole('button', { name: /^Open/ }).click();
    await page.waitForURL(`${server.url}/s/${id}`);
    await page.getByTestId('stdout').filter({ hasText: 'private hello' }).waitFor();
    await expect.poll(() => editorText(page)).toContain(code);

    // Delete it, once confirmed.
    await openMenuItem(page, email, 'My submissions');
    await row.getByRole('button', { name: /^Delete/ }).click();
    await panel.getByRole('button', { name: 'Yes, delete' }).click();
    await panel.getByTestId('submissions-empty').waitFor();
    // The deleted run was the one open: the address is the editor's again, its code a draft.
    await page.waitForURL(`${server.url}/`);
    await expect.poll(() => editorText(page)).toContain(code);
    const gone = await page.request.get(url, { headers: { Authorization: `Bearer ${token ?? ''}` } });
    expect(gone.status()).toBe(404);
    await page.keyboard.press('Escape');
    expect(await panel.count()).toBe(0);

    // An API key: its secret shown once, and a program runs code with it.
    await openMenuItem(page, email, 'API keys');
    const keys = dialog(page, 'API keys');
    await keys.getByLabel('New key’s name').fill('e2e script');
    await keys.getByRole('button', { name: 'Create key' }).click();
    const secret = await keys.getByTestId('key-secret').inputValue();
    expect(secret).toMatch(/^ebx_/);
    expect(await keys.getByText('it will not be shown again', { exact: false }).count()).toBe(1);
    await screenshot(page, 'accounts-new-key');
    const run = await page.request.post(`${server.url}/api/v1/code/execute`, {
      headers: { 'X-API-Key': secret },
      data: { code: 'print(6 * 7)' },
    });
    expect(run.status()).toBe(200);
    expect(await run.json()).toMatchObject({ status: 'success', stdout: '42\n' });
    await keys.getByRole('button', { name: 'Done' }).click();
    expect(await keys.getByTestId('key-secret').count()).toBe(0);
    await page.keyboard.press('Escape');

    // A reload keeps the tab signed in.
    await page.reload();
    await accountButton(page, email).waitFor();

    // Sign out: the token goes from the tab.
    await openMenuItem(page, email, 'Sign out');
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('execbox:accessToken'))).toBeNull();
    expect(await page.getByLabel('Share as').count()).toBe(0);
    expect(pageErrors(page).filter((e) => !e.includes('401'))).toEqual([]);
    await page.close();
  });

  it('works by keyboard alone: sign in, the menu, a panel, Escape', async () => {
    const email = 'kbd@example.org';
    const setup = await desktop.context.request.post(`${server.url}/api/v1/auth/register`, { data: { email, password: PASSWORD } });
    expect(setup.status()).toBe(201);
    const page = await openPage(desktop, server.url, 'print(1)');
    await page.getByRole('button', { name: 'Sign in' }).focus();
    await page.keyboard.press('Enter');
    // The focus is in the address field: type, Tab to the password, Enter submits.
    await page.keyboard.type(email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await accountButton(page, email).waitFor();
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Account: ${email}`);
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('API keys');
    await page.keyboard.press('Enter');
    await dialog(page, 'API keys').waitFor();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe(
      await dialog(page, 'API keys').getByLabel('New key’s name').getAttribute('id'),
    );
    // Tab stays in the modal dialog.
    for (let i = 0; i < 6; i += 1) await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.closest('dialog') !== null)).toBe(true);
    await page.keyboard.press('Escape');
    expect(await dialog(page, 'API keys').count()).toBe(0);
    await expect.poll(() => page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe(`Account: ${email}`);
    await page.close();
  });

  it('fits a phone: the sign-in dialog, the menu and My submissions stay within 390 px', async () => {
    const email = 'phone@example.org';
    const page = await openPage(phone, server.url, 'print("from a phone")');
    await fillSignIn(page, email, 'Create an account');
    await page.getByLabel('Share as').selectOption('private');
    await page.getByRole('button', { name: 'Share', exact: true }).click();
    await page.waitForURL(/\/s\/[^/]+$/);
    // The open menu, its limits atop, stays within the screen too.
    await accountButton(page, email).click();
    const menu = await page.getByTestId('account-limits').locator('..').boundingBox();
    expect(menu?.x ?? -1).toBeGreaterThanOrEqual(0);
    expect((menu?.x ?? 0) + (menu?.width ?? 1000)).toBeLessThanOrEqual(390);
    await screenshot(page, 'accounts-menu-phone');
    await page.getByRole('menuitem', { name: 'My submissions' }).click();
    const panel = dialog(page, 'My submissions');
    await panel.getByTestId('submission').first().waitFor();
    const box = await panel.boundingBox();
    expect(box).not.toBeNull();
    expect(box?.x ?? -1).toBeGreaterThanOrEqual(0);
    expect((box?.x ?? 0) + (box?.width ?? 1000)).toBeLessThanOrEqual(390);
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await screenshot(page, 'accounts-submissions-phone');
    await panel.getByRole('button', { name: 'Close' }).click();
    expect(await panel.count()).toBe(0);
    await page.close();
  });
});
