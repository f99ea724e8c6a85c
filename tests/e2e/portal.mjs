// A test bed as hostile as a real Bitrix24 portal, for Playwright tests and the figure scripts.
//
// Three origins, as in Bitrix24 (all answered by Playwright routes, nothing listens on them):
//   https://fake.bitrix24.test/          the portal page: an <iframe name="DOMAIN|1|APP_SID"> into
//                                        which a form POSTs the handler (AUTH_ID, PLACEMENT, …);
//   https://app.callcard.test/…          the app (the release build in dist/, proxied to
//                                        scripts/serve_dist.py, method and POST body forwarded) —
//                                        cross-site to the portal, so third-party storage rules apply;
//   https://api.bitrix24.com/api/v1/     the library: tests/support/fake-bx24.js + its install call,
//                                        another origin, so its throws reach the page as "Script error.";
//   https://fake.bitrix24.test/rest/…    the REST host: the fake library POSTs there with a real
//                                        XMLHttpRequest; the route asks the fake's server logic in the
//                                        frame (__fakeBx24Serve) and answers with its status and JSON,
//                                        with CORS for the app origin only. {abort} → route.abort().
//
//   const bed = await openPortal(page, { fake: { latencyMs: 40 }, setup: (ctl) => ctl.storm(0.5) });
//   await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
//   await bed.evaluate(() => __fakeBx24.switchClient({ CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 801 }));
//   bed.requests   // [{method, status, at, ms}] as the REST host saw them (status 0 = dropped, null = never answered)
import fs from 'node:fs';
import { FAKE_BX24_PATH, SECRET_TOKEN, fakeDefaults } from './helpers.mjs';

export const PORTAL_DOMAIN = 'fake.bitrix24.test';
export const PORTAL_ORIGIN = `https://${PORTAL_DOMAIN}`;
export const APP_ORIGIN = 'https://app.callcard.test';
export const LIBRARY_URL = 'https://api.bitrix24.com/api/v1/';
export const APP_SID = 'fakeappsid';
export const FRAME_NAME = `${PORTAL_DOMAIN}|1|${APP_SID}`;
/** Where the release build is served from (scripts/serve_dist.py; playwright.config.mjs starts it). */
export const LOCAL_APP = `http://127.0.0.1:${Number(process.env.CALLCARD_E2E_PORT || 8001)}`;

/** Chromium flag that lets a cross-site frame use (partitioned) storage; without it this Chromium refuses it. */
export const ALLOW_PARTITIONED_STORAGE = '--disable-features=TrackingProtection3pcd';

const FAKE_SOURCE = () => fs.readFileSync(FAKE_BX24_PATH, 'utf8');
const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const beds = new WeakMap();

function portalPage(action, body) {
  const inputs = Object.entries(body)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`).join('');
  return `<!doctype html><html><head><meta charset="utf-8"><title>Fake Bitrix24</title>
<style>html,body{margin:0;height:100%}iframe{display:block;width:100%;height:100vh;border:0}</style></head>
<body><iframe name="${esc(FRAME_NAME)}" id="app-frame"></iframe>
<form id="handler" method="POST" action="${esc(action)}" target="${esc(FRAME_NAME)}">${inputs}</form>
<script>document.getElementById('handler').submit();</script></body></html>`;
}

/**
 * Opens the card as a Bitrix24 portal does and returns the bed. Options:
 *  - `fake`: options for `__fakeBx24Install` (placement, status, options, crm, lang, isAdmin, latencyMs,
 *    initDelayMs, neverInit, seed, userOptions…; JSON only). `transport: 'xhr'` is always set.
 *  - `setup`: a function `(ctl) => …` run in the library right after install (faults before the first
 *    request: `ctl.failNext(…)`, `ctl.storm(0.5)`, `ctl.neverAnswer('getStatus')`). No closures.
 *  - `placement` / `placementOptions` / `lang` / `fields`: what the portal POSTs (default: the fake's own).
 *  - `local`: where dist/ is served (default LOCAL_APP); `path`: the handler path (default '/').
 *  - `library: false`: api.bitrix24.com does not answer (the script fails to load).
 *  - `pages`: `{ '/path': file }` — HTML files answered on the app origin at those paths (GET or
 *    POST, never cached), e.g. a reference page opened with `path: '/path'` (scripts/bench_startup.mjs).
 * Calling it again on the same page re-opens the portal page with the new options (a fresh fake).
 */
export async function openPortal(page, opts = {}) {
  let bed = beds.get(page);
  if (!bed) {
    bed = makeBed(page);
    beds.set(page, bed);
    await bed._route();
  }
  bed.configure(opts);
  await bed.reload();
  return bed;
}

function makeBed(page) {
  const bed = {
    page,
    /** Locators inside the card's frame: `bed.app.getByTestId('client-name')`. */
    app: page.frameLocator(`iframe[name="${FRAME_NAME}"]`),
    /** Every REST request the portal's host received: {method, status, at, ms, params?}. */
    requests: [],
    /** Requests to the library URL (how often the page loaded it). */
    libraryLoads: 0,
    /** Document loads of the app in the frame: {method, url, body} (Bitrix24 POSTs the handler). */
    appLoads: [],
    /** Optional hook `(request, answer) => answer | undefined` to change an answer on the way out. */
    onRest: null,
    opts: {},

    configure(opts) { this.opts = { ...opts }; },

    /** The card's frame (a Playwright Frame: evaluate, waitForFunction…). */
    frame() {
      const f = page.frame({ name: FRAME_NAME });
      if (!f) throw new Error('the card frame is not there');
      return f;
    },
    /** `frame.evaluate` in the card's frame, e.g. `bed.evaluate(() => __fakeBx24.requests)`. */
    evaluate(fn, arg) { return this.frame().evaluate(fn, arg); },
    /** The fake library's controller field `name` (JSON), e.g. `await bed.ctl('log')`. */
    ctl(name) { return this.frame().evaluate((n) => JSON.parse(JSON.stringify(window.__fakeBx24[n])), name); },
    /** REST requests seen by the host since `since` (an index into `requests`), by method. */
    methods(since = 0) { return this.requests.slice(since).map((r) => r.method); },

    /** (Re)opens the portal page: a fresh POST of the handler into the frame, a fresh fake. */
    async reload() {
      this.requests.length = 0;
      this.appLoads.length = 0;
      await page.goto(`${PORTAL_ORIGIN}/`);
      await page.waitForFunction((name) => {
        const f = document.querySelector(`iframe[name="${name}"]`);
        return f && f.contentWindow && f.contentWindow.length >= 0;
      }, FRAME_NAME);
      const deadline = Date.now() + 10_000;
      for (;;) {
        const f = page.frame({ name: FRAME_NAME });
        if (f && f.url().startsWith(APP_ORIGIN)) { await f.waitForLoadState('domcontentloaded'); break; }
        if (Date.now() > deadline) throw new Error('the handler never loaded in the portal frame');
        await new Promise((r) => setTimeout(r, 20));
      }
    },

    async _route() {
      await page.route((u) => u.origin === APP_ORIGIN, async (route) => {
        const req = route.request();
        const u = new URL(req.url());
        const local = this.opts.local || LOCAL_APP;
        if (req.isNavigationRequest()) this.appLoads.push({ method: req.method(), url: req.url(), body: req.postData() || '' });
        // `pages`: a page of the caller's (a file) answered at that path, GET or POST (a handler).
        const file = this.opts.pages && this.opts.pages[u.pathname];
        if (file) return route.fulfill({ status: 200, headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' }, body: fs.readFileSync(file, 'utf8') });
        try {
          const response = await route.fetch({ url: `${local}${u.pathname}${u.search}`, maxRedirects: 0 });
          await route.fulfill({ response });
        } catch {
          await route.abort('connectionrefused').catch(() => {});
        }
      });
      await page.route((u) => u.href.startsWith(LIBRARY_URL), async (route) => {
        this.libraryLoads++;
        if (this.opts.library === false) return route.abort('connectionrefused');
        const body = libraryScript(this.opts);
        // As api.bitrix24.com: a plain script, no CORS headers (the page loads it without `crossorigin`).
        await route.fulfill({ status: 200, headers: { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-cache' }, body });
      });
      await page.route((u) => u.origin === PORTAL_ORIGIN, async (route) => {
        const req = route.request();
        const u = new URL(req.url());
        if (u.pathname === '/' && req.method() === 'GET') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: this._portalHtml() });
        const m = /^\/rest\/(.+)\.json$/.exec(u.pathname);
        if (!m) return route.fulfill({ status: 404, body: 'not found' });
        return this._rest(route, decodeURIComponent(m[1]));
      });
    },

    _portalHtml() { return portalPageHtml(this.opts); },

    // The portal's REST host. CORS as the portal sends it: the app origin only.
    async _rest(route, method) {
      const req = route.request();
      const cors = { 'Access-Control-Allow-Origin': APP_ORIGIN, Vary: 'Origin' };
      if (req.method() === 'OPTIONS') {
        return route.fulfill({ status: 204, headers: { ...cors, 'Access-Control-Allow-Methods': 'POST, GET, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type' } });
      }
      const rec = { method, status: null, at: Date.now(), ms: null, origin: req.headers().origin || null };
      this.requests.push(rec);
      let answer;
      answer = await askFake(req.frame(), method, req.postData() || '');
      if (this.onRest) answer = (await this.onRest(rec, answer)) || answer;
      if (answer.never) return; // never answered: the request stays pending
      rec.ms = Date.now() - rec.at;
      if (answer.abort) { rec.status = 0; return route.abort('connectionreset').catch(() => {}); }
      rec.status = answer.status;
      // `raw`: a body that is not the portal's JSON (a proxy's HTML error page).
      await route.fulfill({
        status: answer.status,
        headers: { ...cors, 'Content-Type': answer.raw !== undefined ? 'text/html' : 'application/json; charset=utf-8' },
        body: answer.raw !== undefined ? answer.raw : JSON.stringify(answer.body),
      }).catch(() => {});
    },
  };
  return bed;
}

// The bed's three answers, for a caller that serves the origins itself (scripts/bench_startup.mjs
// answers them from a real HTTPS server, so that the browser's HTTP cache works; a Playwright route
// disables it). `opts` are openPortal's.

/** The portal page: the frame and the form that POSTs the handler into it. */
export function portalPageHtml(o = {}) {
  const opts = o.placementOptions === undefined ? defaultOptions(o.fake) : o.placementOptions;
  const query = new URLSearchParams({ DOMAIN: PORTAL_DOMAIN, PROTOCOL: '1', LANG: o.lang || (o.fake && o.fake.lang) || 'en', APP_SID });
  const action = `${APP_ORIGIN}${o.path || '/'}?${query}`;
  const body = {
    AUTH_ID: SECRET_TOKEN, AUTH_EXPIRES: '3600', REFRESH_ID: 'FAKE-REFRESH-TOKEN-456',
    member_id: 'fakememberid0123456789', status: 'L',
    PLACEMENT: o.placement || (o.fake && o.fake.placement) || 'CALL_CARD',
    PLACEMENT_OPTIONS: typeof opts === 'string' ? opts : JSON.stringify(opts),
    ...(o.fields || {}),
  };
  return portalPage(action, body);
}

/** The library as api.bitrix24.com serves it: the fake and its install call (xhr transport). */
export function libraryScript(o = {}) {
  const install = { ...(o.fake || {}), transport: 'xhr', keepName: true, restBase: `${PORTAL_ORIGIN}/rest/` };
  const setup = o.setup ? `(${o.setup.toString()})(ctl);` : '';
  return `${FAKE_SOURCE()}\n;(function () { var ctl = __fakeBx24Install(${JSON.stringify(install)}); ${setup} })();\n`;
}

/** The REST host's answer to `method` with form `body`, from the fake's server logic in `frame`. */
export async function askFake(frame, method, body) {
  try {
    return await frame.evaluate(([m, b]) => (window.__fakeBx24Serve
      ? window.__fakeBx24Serve(m, b)
      : { status: 503, body: { error: 'NO_FAKE', error_description: 'no fake library in the frame' } }), [method, body]);
  } catch {
    return { abort: true }; // the frame navigated away meanwhile
  }
}

function defaultOptions(fake = {}) {
  if (fake.options) return fake.options;
  if (fake.placement && fake.placement !== 'CALL_CARD') return {};
  if (fake.status) {
    // The same conversion the fake does (every value a string).
    const o = {};
    for (const [k, v] of Object.entries(fake.status)) {
      if (k === 'CRM_BINDINGS') o[k] = (v || []).map((b) => ({ ENTITY_TYPE: String(b.ENTITY_TYPE), ENTITY_ID: String(b.ENTITY_ID) }));
      else if (v !== undefined && v !== null) o[k] = String(v);
    }
    if (o.CRM_ACTIVITY_ID === undefined) o.CRM_ACTIVITY_ID = 'undefined';
    return o;
  }
  return fakeDefaults().options;
}
