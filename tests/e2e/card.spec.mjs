// The card end to end on the release build: the demo scenario, the real-portal path in the fake
// portal (tests/e2e/portal.mjs: cross-site frame, library cross-origin, REST host with CORS), errors,
// and the screenshots (target/screenshots/; scripts/screenshots.sh copies them to docs/screenshots/).
import { test, expect } from '@playwright/test';
import { installFakeBx24, collectConsole, shot, demoUrl, SECRET_TOKEN } from './helpers.mjs';
import { blocks } from './pages.mjs';
import { openPortal, APP_ORIGIN, FRAME_NAME } from './portal.mjs';

/** Fails on page errors and on console errors other than the ones a test expects. */
function noErrors(lines, allowed = []) {
  const bad = lines.filter((l) => (l.startsWith('error') || l.startsWith('pageerror')) && !allowed.some((a) => l.includes(a)));
  expect(bad, bad.join('\n')).toEqual([]);
}

test.describe('demo portal', () => {
  test('a call rings, connects, ends and moves to the next client; one request per refresh', async ({ page }) => {
    const card = blocks(page);
    const log = collectConsole(page);
    await page.goto(demoUrl({ latency: 80 }));
    await expect(card.demo.banner).toBeVisible();
    await expect(card.call.state).toHaveAttribute('data-state', 'ringing');
    await expect(card.call.direction).toHaveAttribute('data-direction', 'incoming');
    await expect(card.client.type).toHaveAttribute('data-type', 'CONTACT');
    await expect(card.bindings.amounts.first()).toBeVisible();
    const first = await card.client.name.innerText();
    expect(first.length).toBeGreaterThan(3);
    await expect(card.demo.requestCount).toHaveText('1');

    await card.demo.answer();
    await expect(card.call.state).toHaveAttribute('data-state', 'connected');
    await expect(card.call.timer).toHaveText('00:00');
    await expect(card.call.timer).toHaveText('00:01', { timeout: 3000 });
    await card.demo.hangup();
    await expect(card.call.state).toHaveAttribute('data-state', 'ended');
    await expect(card.call.timer).toHaveCount(0);
    await expect(card.demo.requestCount).toHaveText('1'); // state changes cost nothing

    await card.demo.switchClient();
    await expect(card.client.name).not.toHaveText(first);
    await expect(card.demo.requestCount).toHaveText('2');
    // The old client stays on screen (dimmed) until the new one arrives: never a blank card.
    noErrors(log);
  });

  test('keyboard: the controls are reachable and work with Enter', async ({ page }) => {
    const card = blocks(page);
    await page.goto(demoUrl({ latency: 0 }));
    await expect(card.demo.requestCount).toHaveText('1');
    await card.demo.answerButton.focus();
    await page.keyboard.press('Enter');
    await expect(card.call.state).toHaveAttribute('data-state', 'connected');
  });

  test('hidden, unknown and failed calls say so', async ({ page }) => {
    const card = blocks(page);
    await page.goto(demoUrl({ scenario: 'hidden', latency: 0, lang: 'ru' }));
    await expect(card.call.phone).toHaveText('Скрытый номер');
    await expect(card.client.type).toHaveText('Нет в CRM');
    await expect(card.demo.requestCount).toHaveText('0');

    await page.goto(demoUrl({ scenario: 'unknown', latency: 0 }));
    await expect(card.client.type).toHaveAttribute('data-type', 'NONE');
    await expect(card.client.name).toHaveText(/^\+\d/);

    await page.setViewportSize({ width: 400, height: 760 });
    await page.goto(demoUrl({ scenario: 'failed', latency: 0 }));
    await expect(card.call.state).toHaveAttribute('data-state', 'dialling');
    await card.demo.answer();
    await expect(card.call.state).toHaveAttribute('data-state', 'failed');
    await expect(card.call.failure).toContainText('busy (486)');
    await shot(page, 'failed-call-en-400');
  });

  test('install page registers the tab', async ({ page }) => {
    await page.setViewportSize({ width: 900, height: 600 });
    await page.goto(demoUrl({ placement: 'DEFAULT', latency: 0 }));
    await expect(page.getByTestId('install-page')).toBeVisible();
    await expect(page.getByTestId('install-status')).toHaveAttribute('data-registered', 'no');
    await page.getByTestId('install-toggle').click();
    await expect(page.getByTestId('install-status')).toHaveAttribute('data-registered', 'yes');
    await shot(page, 'install-en-900');
  });
});

// In the fake portal (tests/e2e/portal.mjs): the card in a cross-site frame on https, the library
// from https://api.bitrix24.com/api/v1/, the REST host on the portal's origin with CORS.
test.describe('inside Bitrix24 (fake portal: three origins, library cross-origin)', () => {
  test('the card loads the client and bindings with one batch and follows events', async ({ page }) => {
    const log = collectConsole(page);
    const bed = await openPortal(page, {});
    const card = blocks(bed.app);
    await expect(card.demo.banner).toHaveCount(0);
    await expect(card.client.name).toHaveText('Klaus Weber');
    await expect(card.bindings.items).toHaveCount(3);
    await expect(card.bindings.stages.first()).toHaveText('Preparing documents');
    await expect(card.bindings.amounts.first()).toHaveText('€18,500');
    await expect(card.client.responsible).toHaveText('Responsible: Maria Lopez · Sales Manager');
    // Regression: a stray ".into_any()" once rendered as text below the responsible line.
    await expect(card.client.card).toHaveText(/^KW\s*Contact\s*Klaus Weber\s*Head of Procurement · Weber Logistics GmbH\s*\+49 301 234 56\s*work\s*\+49 170 123 4567\s*mobile\s*Responsible: Maria Lopez · Sales Manager$/);
    // One HTTP request reached the portal's REST host, from the app's origin, and it was the batch.
    expect(bed.methods()).toEqual(['batch']);
    expect(bed.requests[0].origin).toBe(APP_ORIGIN);
    expect(await bed.ctl('log')).toEqual(['batch']);

    await bed.evaluate(() => window.__fakeBx24.setCallState('connected'));
    await expect(card.call.state).toHaveAttribute('data-state', 'connected');
    await expect(card.call.timer).toBeVisible();
    expect(bed.requests.length).toBe(1);

    await bed.evaluate(() => window.__fakeBx24.switchClient({ PHONE_NUMBER: '+4940987654', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 801 }));
    await expect(card.client.name).toHaveText('Anna Schmidt');
    await expect(card.call.phone).toHaveText('+49 409 876 54');
    expect(bed.methods()).toEqual(['batch', 'batch']);
    const calls = await bed.ctl('calls');
    expect(calls.filter((c) => (c.command || c) === 'getStatus').length).toBeGreaterThanOrEqual(2);

    // Clicking the name opens the record in the portal's slider.
    await card.client.name.click();
    expect(await bed.ctl('openedPaths')).toContainEqual('/crm/contact/details/801/');
    expect(await bed.ctl('fitWindowCalls')).toBeGreaterThan(0);

    // The token is never shown or logged.
    expect(await bed.frame().content()).not.toContain(SECRET_TOKEN);
    expect(log.join('\n')).not.toContain(SECRET_TOKEN);
    noErrors(log);
  });

  test('the handler is loaded through a form POST into the named frame, as Bitrix24 opens it', async ({ page }) => {
    const bed = await openPortal(page, {});
    const card = blocks(bed.app);
    await expect(card.client.name).toHaveText('Klaus Weber');
    expect(bed.appLoads.length).toBe(1);
    expect(bed.appLoads[0].method).toBe('POST');
    expect(bed.appLoads[0].url).toMatch(/^https:\/\/app\.callcard\.test\/\?DOMAIN=fake\.bitrix24\.test&PROTOCOL=1&LANG=en&APP_SID=fakeappsid$/);
    expect(new URLSearchParams(bed.appLoads[0].body).get('PLACEMENT')).toBe('CALL_CARD');
    expect(bed.libraryLoads).toBe(1);
    expect(await bed.evaluate(() => [window.name, window.top !== window, location.origin])).toEqual([FRAME_NAME, true, APP_ORIGIN]);
    expect(await bed.frame().content()).not.toContain(SECRET_TOKEN);
  });

  test('a refused refresh shows a readable error and retry recovers', async ({ page }) => {
    const bed = await openPortal(page, { setup: (ctl) => ctl.failNext('batch', { status: 403, error: 'ACCESS_DENIED' }) });
    const card = blocks(bed.app);
    const banner = card.error.banner;
    await expect(banner).toContainText('You do not have access');
    await expect(banner).not.toContainText('ACCESS_DENIED');
    await card.error.retry.click();
    await expect(card.client.name).toHaveText('Klaus Weber');
    await expect(banner).toHaveCount(0);
    expect(bed.requests.map((r) => r.status)).toEqual([403, 200]);
  });

  test('getStatus that never answers: the snapshot is shown, with an error, no endless spinner', async ({ page }) => {
    const bed = await openPortal(page, { setup: (ctl) => ctl.neverAnswer('getStatus') });
    const card = blocks(bed.app);
    await expect(card.call.phone).toHaveText('+49 301 234 56');
    await expect(card.error.banner).toBeVisible({ timeout: 6000 });
    await expect(card.client.name).toHaveText('Klaus Weber');
  });

  test('a library that never initialises: the card keeps waiting for Bitrix24, never the demo', async ({ page }) => {
    const bed = await openPortal(page, { fake: { neverInit: true } });
    const card = blocks(bed.app);
    await expect(bed.app.getByTestId('portal-waiting')).toBeVisible({ timeout: 4000 });
    // Past the 4-s init timeout that used to hand over to the demo.
    await page.waitForTimeout(4500);
    await expect(bed.app.getByTestId('portal-waiting')).toBeVisible();
    await expect(bed.app.getByTestId('demo-fallback')).toHaveCount(0);
    await expect(card.demo.banner).toHaveCount(0);
    await expect(bed.app.getByTestId('portal-failed')).toHaveCount(0);
  });

  test('the install page binds the tab and finishes installation', async ({ page }) => {
    const bed = await openPortal(page, { fake: { placement: 'DEFAULT' } });
    await expect(bed.app.getByTestId('install-status')).toHaveAttribute('data-registered', 'no');
    await bed.app.getByTestId('install-toggle').click();
    await expect(bed.app.getByTestId('install-status')).toHaveAttribute('data-registered', 'yes');
    const bound = await bed.evaluate(() => new Promise((r) => BX24.callMethod('placement.get', {}, (res) => r(res.data()))));
    expect(bound.map((p) => p.placement)).toContain('CALL_CARD');
    expect(await bed.ctl('installFinished')).toBe(true);
    expect(bed.methods()).toContain('placement.bind');
  });

  test('an operator downloads neither the settings build nor the demo build; the settings page loads its own', async ({ page }) => {
    const files = [];
    page.on('request', (r) => { const m = /\/(callcard[_a-z]*)[-.][^/]*$/.exec(new URL(r.url()).pathname); if (m) files.push(m[1]); });
    const bed = await openPortal(page);
    const card = blocks(bed.app);
    await expect(card.client.name).toBeVisible();
    expect(files).toContain('callcard');
    expect(files.filter((f) => f !== 'callcard')).toEqual([]);
    files.length = 0;
    const admin = await openPortal(page, { fake: { placement: 'DEFAULT' } });
    await expect(admin.app.getByTestId('install-status')).toBeVisible();
    expect(files).toContain('callcard_settings');
    expect(files).not.toContain('callcard_demo');
  });

  // Regression: the install page called the portal around the REST client, so one 503 was an
  // error and a dropped write could be sent twice.
  test('the install page goes through the REST client: a 503 is retried, a dropped bind is read back, not re-sent', async ({ page }) => {
    const bed = await openPortal(page, {
      fake: { placement: 'DEFAULT' },
      setup: (ctl) => ctl.failNext('placement.get', { status: 503, error: 'QUERY_LIMIT_EXCEEDED' }),
    });
    const card = blocks(bed.app);
    await expect(bed.app.getByTestId('install-status')).toHaveAttribute('data-registered', 'no', { timeout: 10_000 });
    await expect(card.error.banner).toHaveCount(0);
    expect(bed.methods().filter((m) => m === 'placement.get').length).toBe(2);
    // The bind reaches the portal, but the answer is lost: the page reads the truth back.
    await bed.evaluate(() => window.__fakeBx24.loseAnswer('placement.bind', 1, 'abort'));
    await bed.app.getByTestId('install-toggle').click();
    await expect(bed.app.getByTestId('install-status')).toHaveAttribute('data-registered', 'yes', { timeout: 10_000 });
    expect(bed.methods().filter((m) => m === 'placement.bind').length).toBe(1);
    const bound = await bed.evaluate(() => new Promise((r) => BX24.callMethod('placement.get', {}, (res) => r(res.data()))));
    expect(bound.filter((p) => p.placement === 'CALL_CARD').length).toBe(1);
  });

  test('the release CSP lets the card, the library and the REST host through, nothing else', async ({ page }) => {
    const violations = [];
    await page.exposeFunction('__cspViolation', (v) => violations.push(v));
    await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
    const bed = await openPortal(page, {});
    const card = blocks(bed.app);
    await expect(card.client.name).toHaveText('Klaus Weber');
    await bed.evaluate(() => window.__fakeBx24.switchClient({ CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 801 }));
    await expect(card.client.name).toHaveText('Anna Schmidt');
    expect(violations).toEqual([]);
    // The policy is the release one, delivered with the page the portal POSTed to.
    expect(await bed.evaluate(() => document.querySelector('meta[http-equiv="Content-Security-Policy"]')?.content)).toContain("connect-src 'self' https:");
  });
});

// The same-origin run: the fake library injected into the page, its network simulated in-page. Kept
// only for what needs to look inside the library: its `Query error!` reaches the window with its
// message, and the card's message listener (not the XHR watcher: no XHR here) fails the call at once.
test('same origin (fake library in the page): a 503 is known by its message, the switch completes at once', async ({ page }) => {
  const card = blocks(page);
  await installFakeBx24(page, {});
  await page.goto('/');
  await expect(card.client.name).toHaveText('Klaus Weber');
  const seen = await page.evaluate(() => {
    window.__errs = [];
    window.addEventListener('error', (e) => window.__errs.push([e.message, e.filename === '' ? '' : 'file']));
    window.__fakeBx24.failNext('batch', { status: 503, error: 'QUERY_LIMIT_EXCEEDED' });
    window.__fakeBx24.switchClient({ CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 801 });
    return Date.now();
  });
  await expect(card.client.name).toHaveText('Anna Schmidt', { timeout: 5000 });
  const took = await page.evaluate((t0) => Date.now() - t0, seen);
  expect(took).toBeLessThan(2500);
  expect((await page.evaluate(() => window.__errs))[0][0]).toContain('Query error!');
  expect(await page.evaluate(() => window.__fakeBx24.queryErrors.length)).toBe(1);
});

test('the release page carries a strict CSP that still lets the app and the portal library run', async ({ page, request }) => {
  const card = blocks(page);
  const html = await (await request.get('/')).text();
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)"/.exec(html)?.[1] ?? '';
  expect(csp).toContain("default-src 'none'");
  expect(csp).toMatch(/script-src 'self' https:\/\/api\.bitrix24\.com 'wasm-unsafe-eval'( 'sha256-[A-Za-z0-9+\/=]+')+;/);
  expect(csp).not.toContain('unsafe-inline');
  const violations = [];
  await page.exposeFunction('__cspViolation', (v) => violations.push(v));
  await page.addInitScript(() => document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  await page.goto(demoUrl({ latency: 0 }));
  await expect(card.bindings.amounts.first()).toBeVisible();
  expect(violations).toEqual([]);
});

test('a start that fails shows a message, never a blank frame', async ({ page }) => {
  await page.route(/\.wasm$/, (route) => route.abort());
  await page.goto(demoUrl({}));
  await expect(page.getByTestId('boot-failed')).toBeVisible({ timeout: 25000 });
  await expect(page.getByTestId('boot-failed')).toContainText('could not start');
});

test.describe('screenshots', () => {
  for (const lang of ['en', 'ru']) {
    for (const theme of ['light', 'dark']) {
      for (const width of [400, 900]) {
        test(`card ${lang} ${theme} ${width}`, async ({ page }) => {
          const card = blocks(page);
          await page.setViewportSize({ width, height: 760 });
          await page.goto(demoUrl({ lang, theme, latency: 0 }));
          await expect(card.bindings.amounts.first()).toBeVisible();
          await card.demo.answer();
          await expect(card.call.timer).toBeVisible();
          await shot(page, `card-${lang}-${theme}-${width}`);
        });
      }
    }
  }
  test('no client, dark, ru, 400', async ({ page }) => {
    const card = blocks(page);
    await page.setViewportSize({ width: 400, height: 600 });
    await page.goto(demoUrl({ scenario: 'unknown', lang: 'ru', theme: 'dark', latency: 0 }));
    await expect(card.client.type).toHaveAttribute('data-type', 'NONE');
    await shot(page, 'unknown-ru-dark-400');
  });
});
