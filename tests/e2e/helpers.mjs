// Shared helpers for the Playwright e2e tests.
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const FAKE_BX24_PATH = path.join(ROOT, 'tests', 'support', 'fake-bx24.js');
/** Test runs write screenshots here (ignored by git); `scripts/screenshots.sh` copies them to docs/screenshots/ on purpose. */
export const SCREENSHOT_DIR = path.join(ROOT, 'target', 'screenshots');
export const BASE_URL = `http://127.0.0.1:${Number(process.env.CALLCARD_E2E_PORT || 8001)}/`;
/** The fake's access token: it must never reach the DOM or the console. */
export const SECRET_TOKEN = 'FAKE-SECRET-TOKEN-123';

/**
 * SAME-ORIGIN fake, for tests that must look inside the library: its network is simulated in-page and
 * its throws reach the page with their message. Everything else runs in the fake portal
 * (tests/e2e/portal.mjs: library cross-origin, real XHRs to a REST host with CORS), as in Bitrix24.
 * Install the BX24 fake before any page script runs (on every navigation/reload of `page`, with a
 * fresh state each time). `opts` go to `__fakeBx24Install` (placement, options, status, lang, isAdmin,
 * initDelayMs, neverInit, crm, latencyMs, passSecondArg, userOptions, keepName…); they must be JSON-serialisable.
 * In the page, the controller is `window.__fakeBx24` (drive it with page.evaluate).
 */
export async function installFakeBx24(page, opts = {}) {
  await page.addInitScript({ path: FAKE_BX24_PATH });
  await page.addInitScript((o) => {
    globalThis.__fakeBx24Install(o);
  }, opts);
}

/**
 * Collects console messages (`"<type>: <text>"`) and uncaught page errors (`"pageerror: <message>"`)
 * into the returned array, from now on.
 */
export function collectConsole(page) {
  const lines = [];
  page.on('console', (msg) => lines.push(`${msg.type()}: ${msg.text()}`));
  page.on('pageerror', (err) => lines.push(`pageerror: ${err && err.message !== undefined ? err.message : String(err)}`));
  return lines;
}

/** Full-page screenshot to target/screenshots/<name>.png; returns the file path. */
export async function shot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** `demoUrl({lang: 'de', scenario: 'busy'})` → `/?lang=de&scenario=busy`; undefined/null values are left out. */
export function demoUrl(params = {}) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null) continue;
    q.append(k, String(v));
  }
  const s = q.toString();
  return s ? `/?${s}` : '/';
}

/** Defaults of the fake, read in Node: {crm, status, options}. */
export function fakeDefaults() {
  const ctx = {};
  vm.runInNewContext(fs.readFileSync(FAKE_BX24_PATH, 'utf8'), ctx, { filename: FAKE_BX24_PATH });
  return JSON.parse(JSON.stringify(ctx.__fakeBx24Defaults()));
}

/**
 * Open the app the way Bitrix24 does: a form POST to the handler URL with DOMAIN/PROTOCOL/LANG/APP_SID in
 * the query string and the auth + PLACEMENT/PLACEMENT_OPTIONS (a JSON string) in the body.
 * `placementOptions` defaults to the fake's default options; `fields` adds/overrides body fields.
 * Install the fake first if the page should find a BX24 object.
 */
export async function openViaPost(page, { placement = 'CALL_CARD', placementOptions, lang = 'en', fields = {}, path: p = '/' } = {}) {
  const opts = placementOptions === undefined ? fakeDefaults().options : placementOptions;
  const query = new URLSearchParams({ DOMAIN: 'fake.bitrix24.test', PROTOCOL: '1', LANG: lang, APP_SID: 'fakeappsid' });
  const action = new URL(`${p}?${query}`, BASE_URL).href;
  const body = {
    AUTH_ID: SECRET_TOKEN,
    AUTH_EXPIRES: '3600',
    REFRESH_ID: 'FAKE-REFRESH-TOKEN-456',
    member_id: 'fakememberid0123456789',
    status: 'L',
    PLACEMENT: placement,
    PLACEMENT_OPTIONS: typeof opts === 'string' ? opts : JSON.stringify(opts),
    ...fields,
  };
  await page.goto('about:blank');
  await Promise.all([
    page.waitForURL(action, { waitUntil: 'domcontentloaded' }),
    page.evaluate(({ action, body }) => {
      const form = document.createElement('form');
      form.method = 'POST';
      form.action = action;
      for (const [k, v] of Object.entries(body)) {
        const input = document.createElement('input');
        input.type = 'hidden';
        input.name = k;
        input.value = v;
        form.appendChild(input);
      }
      document.body.appendChild(form);
      form.submit();
    }, { action, body }),
  ]);
}
