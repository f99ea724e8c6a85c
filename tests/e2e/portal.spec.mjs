// REST faults in the fake portal, with the library cross-origin as in Bitrix24: its `throw 'Query
// error!'` arrives as "Script error.", and only the card's XHR watcher (index.html) can tell.
import { test, expect } from '@playwright/test';
import { collectConsole } from './helpers.mjs';
import { openPortal } from './portal.mjs';

const ANNA = { PHONE_NUMBER: '+4940987654', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 801 };
const KLAUS = { PHONE_NUMBER: '+4930123456', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 797 };
const WEBER_GMBH = { PHONE_NUMBER: '+4930123400', CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: 643 };
const BECKER = { PHONE_NUMBER: '+4989555000', CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: 120 };
const NAMES = { 801: 'Anna Schmidt', 797: 'Klaus Weber', 643: 'Weber Logistics GmbH', 120: 'Inbound call +4989555000' };

/** Records every `error` event of the card's window as [message, filename, has error object]. */
async function watchErrors(bed) {
  await bed.evaluate(() => {
    window.__errs = [];
    window.addEventListener('error', (e) => window.__errs.push([e.message, e.filename, e.error !== null && e.error !== undefined]));
  });
}

/** Switches the fake's client; ms until that client (entity and `name`) is on screen, settled. */
async function switchAndTime(bed, client, name, timeout = 30_000) {
  const t0 = await bed.evaluate((c) => { window.__fakeBx24.switchClient(c); return performance.now(); }, client);
  const entity = `${client.CRM_ENTITY_TYPE}:${client.CRM_ENTITY_ID}`;
  await bed.frame().waitForFunction(([e, n]) => {
    const card = document.querySelector('[data-testid=client]');
    return card && card.getAttribute('data-entity') === e && card.getAttribute('aria-busy') !== 'true'
      && document.querySelector('[data-testid=client-name]')?.innerText === n;
  }, [entity, name], { timeout, polling: 10 });
  return bed.evaluate((t) => performance.now() - t, t0);
}

test('a 503 on a client switch: "Script error." is all the page hears, the watcher fails the call at once, the switch completes in ≤ 2.5 s', async ({ page }) => {
  const bed = await openPortal(page, {});
  await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
  await watchErrors(bed);
  await bed.evaluate(() => window.__fakeBx24.failNext('batch', { status: 503, error: 'QUERY_LIMIT_EXCEEDED' }));
  const ms = await switchAndTime(bed, ANNA, 'Anna Schmidt');
  expect(ms).toBeLessThanOrEqual(2500);
  // The library threw from its XHR handler; cross-origin it is muted: no message, no file, no error object.
  expect(await bed.evaluate(() => window.__errs)).toEqual([['Script error.', '', false]]);
  expect(await bed.ctl('queryErrors')).toEqual([{ method: 'batch', status: 503, error: 'QUERY_LIMIT_EXCEEDED' }]);
  expect(bed.requests.map((r) => [r.method, r.status])).toEqual([['batch', 200], ['batch', 503], ['batch', 200]]);
  await expect(bed.app.getByTestId('error-banner')).toHaveCount(0);
});

test('a dropped connection and a proxy\'s bare 502 page: each known at once, the card retries and completes', async ({ page }) => {
  const bed = await openPortal(page, { fake: { latencyMs: 30 } });
  await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
  await bed.evaluate(() => window.__fakeBx24.dropNext('batch'));
  expect(await switchAndTime(bed, ANNA, 'Anna Schmidt')).toBeLessThanOrEqual(2500);
  expect(bed.requests.map((r) => r.status)).toEqual([200, 0, 200]);

  let bare = 1;
  bed.onRest = (req) => (req.method === 'batch' && bare-- > 0 ? { status: 502, raw: '<html><body>502 Bad Gateway</body></html>' } : undefined);
  expect(await switchAndTime(bed, KLAUS, 'Klaus Weber')).toBeLessThanOrEqual(3500);
  expect(bed.requests.slice(3).map((r) => r.status)).toEqual([502, 200]);
  await expect(bed.app.getByTestId('error-banner')).toHaveCount(0);
});

test('under a 50 % storm of 503s every switch converges to the right client, the operator is told, nothing stalls', async ({ page }) => {
  test.setTimeout(120_000);
  const log = collectConsole(page);
  const bed = await openPortal(page, { fake: { latencyMs: 40, seed: 11 }, setup: (ctl) => ctl.storm(0.5) });
  await expect(bed.app.getByTestId('client-name')).toBeVisible({ timeout: 30_000 });
  const told = bed.frame().waitForSelector('[data-testid=rest-status][data-state=retrying]', { timeout: 60_000 }).then((el) => el.innerText());
  const times = [];
  for (const c of [ANNA, WEBER_GMBH, BECKER, KLAUS, ANNA, BECKER]) {
    times.push(await switchAndTime(bed, c, NAMES[c.CRM_ENTITY_ID], 30_000));
    await expect(bed.app.getByTestId('client')).toHaveAttribute('data-entity', `${c.CRM_ENTITY_TYPE}:${c.CRM_ENTITY_ID}`);
  }
  const failed = bed.requests.filter((r) => r.status === 503).length;
  expect(failed).toBeGreaterThan(0);
  expect(await told).toMatch(/^The portal is (busy|not answering), retrying in \d+ s$/);
  // No request waited for the 15 s REST timeout: the slowest switch is far below it.
  expect(Math.max(...times)).toBeLessThanOrEqual(10_000);
  await expect(bed.app.getByTestId('error-banner')).toHaveCount(0);
  expect(log.filter((l) => l.startsWith('pageerror') && !l.includes('Query error'))).toEqual([]);
});

test('an expired token: the library refreshes it and re-sends, the card shows the new client', async ({ page }) => {
  const bed = await openPortal(page, {});
  await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
  await bed.evaluate(() => window.__fakeBx24.failNext('batch', { status: 401, error: 'expired_token', error_description: 'The access token provided has expired.' }));
  expect(await switchAndTime(bed, ANNA, 'Anna Schmidt')).toBeLessThanOrEqual(2500);
  expect(await bed.ctl('authRefreshes')).toBe(1);
  expect(bed.requests.map((r) => r.status)).toEqual([200, 401, 200]);
  await expect(bed.app.getByTestId('error-banner')).toHaveCount(0);
});

test('a stalled request (never answered): the old client stays, the card retries after its timeout and converges', async ({ page }) => {
  test.setTimeout(60_000);
  const bed = await openPortal(page, {});
  await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
  await bed.evaluate(() => window.__fakeBx24.neverAnswerMethod('batch', 1));
  const t = switchAndTime(bed, ANNA, 'Anna Schmidt', 40_000);
  await page.waitForTimeout(3000);
  // Never a blank card: the previous client stays on screen, marked busy.
  await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
  await expect(bed.app.getByTestId('client')).toHaveAttribute('aria-busy', 'true');
  const ms = await t;
  expect(ms).toBeGreaterThan(14_000); // the stall itself is only known by the REST timeout (15 s)
  expect(ms).toBeLessThan(25_000);
  expect(bed.requests.map((r) => r.status)).toEqual([200, null, 200]);
});

test('@storage-refused with third-party storage refused (this Chromium\'s default), the card works fully', async ({ page }) => {
  const log = collectConsole(page);
  const bed = await openPortal(page, {});
  // The condition itself: the frame is cross-site and its storage throws.
  expect(await bed.evaluate(() => {
    const out = [];
    for (const k of ['localStorage', 'sessionStorage']) {
      try { void window[k].length; out.push(`${k}: ok`); } catch (e) { out.push(`${k}: ${e.name}`); }
    }
    return out;
  })).toEqual(['localStorage: SecurityError', 'sessionStorage: SecurityError']);
  await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
  await expect(bed.app.getByTestId('binding')).toHaveCount(3);
  await bed.evaluate(() => window.__fakeBx24.setCallState('connected'));
  await expect(bed.app.getByTestId('call-timer')).toBeVisible();
  expect(await switchAndTime(bed, ANNA, 'Anna Schmidt')).toBeLessThanOrEqual(2500);
  await expect(bed.app.getByTestId('error-banner')).toHaveCount(0);
  expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
});
