#!/usr/bin/env node
// Start-up of the call card in the fake portal (tests/e2e/portal.mjs), against a plain-JS tab doing
// the same work (scripts/startup_reference.html: BX24.init, getStatus, one batch with the commands
// of the card's first refresh, the name written). Time = from the frame's navigation (its
// performance.timeOrigin: the portal's POST of the handler) to the client's name on screen (in the
// DOM, then the next animation frame). Both run interleaved, alternating which goes first:
//   cold: a fresh browser context (empty HTTP cache, no compiled wasm kept);
//   warm: the same context, the frame opened again (the call card is re-opened on every activation).
// Prints every run, the ratios, the medians, and where the card's time went (median of the runs).
//
//   node scripts/bench_startup.mjs [--runs 5] [--latency 20] [--plain] [--routed] [--trace [--cpu]]
//
// The bed: the portal page, the library (https://api.bitrix24.com/api/v1/, cross-origin) and the
// REST host (real XHRs, CORS, answered by the fake's server logic) come from portal.mjs;
// by default they are served by a local HTTPS server (HTTP/2, as Bitrix24's hosts) of this script (CALLCARD_XORIGIN_PORT, 8013)
// that Chromium reaches through --host-resolver-rules with its self-signed certificate accepted by
// SPKI, and app.callcard.test is proxied to dist/ (scripts/serve_dist.py, CALLCARD_BENCH_PORT),
// its files and the library brotli-compressed as a real host sends them (--plain: not).
// Nothing is intercepted, so the HTTP cache works as in a real browser (immutable hashed assets,
// the wasm's compiled code kept). `--routed`: Playwright routes instead (openPortal itself); routing
// disables Chromium's HTTP cache, so "warm" there re-downloads everything (a warm process only).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import http2 from 'node:http2';
import vm from 'node:vm';
import zlib from 'node:zlib';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { start, median } from './harness.mjs';
import {
  openPortal, portalPageHtml, libraryScript, ALLOW_PARTITIONED_STORAGE,
  PORTAL_DOMAIN, PORTAL_ORIGIN, APP_ORIGIN,
} from '../tests/e2e/portal.mjs';
import { FAKE_BX24_PATH } from '../tests/e2e/helpers.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const REFERENCE = path.join(ROOT, 'scripts', 'startup_reference.html');
const REFERENCE_PATH = '/startup-reference';
const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const RUNS = Number(arg('runs', 5));
const LATENCY = Number(arg('latency', 20));
const ROUTED = process.argv.includes('--routed');
// --plain: the app's files and the library uncompressed (scripts/serve_dist.py sends them so).
const COMPRESS = !process.argv.includes('--plain');
const brotliCache = new Map();
const EXPECT = 'Klaus Weber'; // the fake's default client (CONTACT 797)
const XPORT = Number(process.env.CALLCARD_XORIGIN_PORT || 8013);
const HOSTS = [PORTAL_DOMAIN, new URL(APP_ORIGIN).host, 'api.bitrix24.com'];
const fake = { latencyMs: LATENCY };

// ---------------------------------------------------------------- instrumentation (every frame, before any script)
function probe(expect) {
  if (location.origin !== 'https://app.callcard.test') return;
  const B = window.__bench = { marks: {}, done: false, batches: [] };
  const mark = (n) => { if (!(n in B.marks)) B.marks[n] = performance.now(); };
  B.mark = mark;
  for (const f of ['instantiateStreaming', 'instantiate', 'compileStreaming', 'compile']) {
    const orig = WebAssembly[f];
    WebAssembly[f] = function () {
      mark(`wasm.${f}`);
      const p = orig.apply(this, arguments);
      p.then(() => mark(`wasm.${f}.done`), () => {});
      return p;
    };
  }
  let started;
  Object.defineProperty(window, '__ccStarted', { configurable: true, get: () => started, set: (v) => { mark('app.start'); started = v; } });
  const once = (name, cb) => function () { mark(name); return typeof cb === 'function' ? cb.apply(this, arguments) : undefined; };
  function wrap(bx) {
    mark('bx24.defined');
    const init = bx.init;
    bx.init = function (cb) { mark('init.call'); return init.call(this, once('init.done', cb)); };
    const call = bx.placement.call;
    bx.placement.call = function (cmd, params, cb) {
      if (typeof params === 'function') { cb = params; params = {}; }
      if (cmd === 'getStatus') { mark('getStatus.call'); cb = once('getStatus.done', cb); }
      return call.call(this, cmd, params, cb);
    };
    const method = bx.callMethod;
    bx.callMethod = function (m, params, cb) {
      if (m === 'batch') { mark('batch.call'); B.batches.push(Object.keys((params && params.cmd) || {}).sort()); cb = once('batch.done', cb); }
      return method.call(this, m, params, cb);
    };
    const batch = bx.callBatch;
    bx.callBatch = function (calls, cb, halt) {
      mark('batch.call');
      B.batches.push(Object.keys(calls || {}).sort());
      return batch.call(this, calls, once('batch.done', cb), halt);
    };
  }
  let bx;
  Object.defineProperty(window, 'BX24', {
    configurable: true,
    get: () => bx,
    set: (v) => { if (v && typeof v === 'object') wrap(v); bx = v; },
  });
  const seen = () => {
    const el = document.querySelector('[data-testid=client-name]');
    return el && el.textContent.trim() === expect;
  };
  new MutationObserver((_, obs) => {
    if (!seen()) return;
    obs.disconnect();
    mark('name.dom');
    requestAnimationFrame(() => {
      mark('name.frame');
      setTimeout(() => {
        mark('name.painted');
        B.done = true;
        // Handed to the script by a binding: no Playwright evaluation in the frame while it starts
        // (the first one compiles Playwright's injected script there, ~30 ms of its main thread).
        const nav = performance.getEntriesByType('navigation')[0];
        const res = performance.getEntriesByType('resource').map((e) => ({
          name: e.name, start: e.startTime, end: e.responseEnd, size: e.transferSize, type: e.deliveryType,
        }));
        window.__benchDone(JSON.stringify({ marks: B.marks, batches: B.batches, nav: { responseEnd: nav.responseEnd, domInteractive: nav.domInteractive }, res }));
      }, 0);
    });
  }).observe(document, { subtree: true, childList: true, characterData: true });
}

// ---------------------------------------------------------------- the bed's HTTPS server (default)
const HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection'];
let current = null; // the page whose frame answers REST requests now (runs are sequential)

function certificate() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cc-bench-'));
  const key = path.join(dir, 'key.pem');
  const cert = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', key, '-out', cert, '-days', '2',
    '-subj', '/CN=callcard-bench', '-addext', `subjectAltName=${HOSTS.map((h) => `DNS:${h}`).join(',')}`], { stdio: 'ignore' });
  const der = execFileSync('sh', ['-c', `openssl x509 -in '${cert}' -pubkey -noout | openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64`]);
  const out = { key: fs.readFileSync(key), cert: fs.readFileSync(cert), spki: der.toString().trim() };
  fs.rmSync(dir, { recursive: true, force: true });
  return out;
}

function readBody(req) {
  return new Promise((resolve) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
  });
}

async function serveBed(req, res, local) {
  const host = (req.headers[':authority'] || req.headers.host || '').split(':')[0];
  const u = new URL(req.url, `https://${host}`);
  const body = await readBody(req);
  if (host === PORTAL_DOMAIN) {
    if (u.pathname === '/' && req.method === 'GET') {
      const html = portalPageHtml({ fake, path: u.searchParams.get('kind') === 'ref' ? REFERENCE_PATH : '/' });
      res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
      return res.end(html);
    }
    const m = /^\/rest\/(.+)\.json$/.exec(u.pathname);
    if (!m) { res.writeHead(404); return res.end('not found'); }
    const cors = { 'Access-Control-Allow-Origin': APP_ORIGIN, Vary: 'Origin' };
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { ...cors, 'Access-Control-Allow-Methods': 'POST, GET, OPTIONS', 'Access-Control-Allow-Headers': 'Content-Type' });
      return res.end();
    }
    current.rest.push(decodeURIComponent(m[1]));
    const answer = await current.serve(decodeURIComponent(m[1]), body.toString());
    if (answer.abort || answer.never) return res.destroy();
    res.writeHead(answer.status, { ...cors, 'Content-Type': 'application/json; charset=utf-8' });
    return res.end(JSON.stringify(answer.body));
  }
  if (host === 'api.bitrix24.com') {
    const lib = libraryScript({ fake });
    if (COMPRESS) {
      if (!brotliCache.has(lib)) brotliCache.set(lib, zlib.brotliCompressSync(Buffer.from(lib)));
      res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-cache', 'Content-Encoding': 'br' });
      return res.end(brotliCache.get(lib));
    }
    res.writeHead(200, { 'Content-Type': 'application/javascript; charset=utf-8', 'Cache-Control': 'no-cache' });
    return res.end(lib);
  }
  if (u.pathname === REFERENCE_PATH) {
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
    return res.end(fs.readFileSync(REFERENCE));
  }
  // The app: dist/ as scripts/serve_dist.py serves it (POST of the handler, cache headers, MIME types).
  const headers = Object.fromEntries(Object.entries(req.headers).filter(([k]) => !k.startsWith(':') && k !== 'host'));
  const up = http.request(`${local}${u.pathname}${u.search}`, { method: req.method, headers }, (r) => {
    const out = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !HOP.includes(k)));
    // As a real host (and as scripts/measure_size.py counts it): text and wasm brotli-compressed.
    if (COMPRESS && r.statusCode === 200 && /\bbr\b/.test(req.headers['accept-encoding'] || '')
      && /wasm|javascript|css|html/.test(r.headers['content-type'] || '')) {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => {
        const key = `${u.pathname}|${r.headers['last-modified'] || ''}`;
        let br = brotliCache.get(key);
        if (!br) { br = zlib.brotliCompressSync(Buffer.concat(chunks)); if (!/html/.test(r.headers['content-type'])) brotliCache.set(key, br); }
        delete out['content-length'];
        res.writeHead(r.statusCode, { ...out, 'content-encoding': 'br', 'content-length': String(br.length), vary: 'Accept-Encoding' });
        res.end(br);
      });
      return;
    }
    res.writeHead(r.statusCode, out);
    r.pipe(res);
  });
  up.on('error', () => res.destroy());
  up.end(body);
}

// ---------------------------------------------------------------- one opening of the frame
// The REST host's answers come from a copy of the fake's server logic run here (a vm context,
// the same defaults and latency as the frame's), not from the frame through Playwright: a CDP round
// trip per request would add a load-dependent delay to every REST answer (most to the reference's,
// whose batch goes out while Playwright is still attaching to the new frame).
function restHost() {
  const ctx = vm.createContext({ setTimeout, clearTimeout, console });
  vm.runInContext(fs.readFileSync(FAKE_BX24_PATH, 'utf8'), ctx, { filename: FAKE_BX24_PATH });
  ctx.__fakeBx24Install({ ...fake, transport: 'xhr', keepName: true, restBase: `${PORTAL_ORIGIN}/rest/` });
  return (method, body) => ctx.__fakeBx24Serve(method, body).then((a) => JSON.parse(JSON.stringify(a)));
}

async function openOnce(page, kind, local) {
  current = { page, rest: [], serve: restHost() };
  const done = new Promise((r) => { current.done = r; });
  if (ROUTED) {
    current.bed = await openPortal(page, { local, fake, path: kind === 'ref' ? REFERENCE_PATH : '/', pages: { [REFERENCE_PATH]: REFERENCE } });
  } else {
    await page.goto(`${PORTAL_ORIGIN}/?kind=${kind}`);
  }
  let timer;
  const late = new Promise((_, j) => { timer = setTimeout(() => j(new Error(`${kind}: no name after 30 s`)), 30_000); });
  const got = JSON.parse(await Promise.race([done, late]).finally(() => clearTimeout(timer)));
  const rest = current.bed ? current.bed.methods() : current.rest.slice();
  return { ...got, rest, ms: got.marks['name.painted'] };
}

// ---------------------------------------------------------------- the card's breakdown
function breakdown(r) {
  const m = r.marks;
  const find = (re) => r.res.find((e) => re.test(e.name));
  const span = (e) => (e ? [e.start, e.end] : null);
  const rows = [
    ['HTML (POST → last byte)', [0, r.nav.responseEnd]],
    ['JS glue fetch', span(find(/callcard-[0-9a-f]+\.js$/))],
    ['wasm fetch', span(find(/_bg\.wasm$/))],
    ['library fetch', span(find(/api\.bitrix24\.com/))],
    ['library ran (BX24 set)', [m['bx24.defined'], m['bx24.defined']]],
    ['wasm compile + instantiate', [m['wasm.instantiateStreaming'] ?? m['wasm.instantiate'], m['wasm.instantiateStreaming.done'] ?? m['wasm.instantiate.done']]],
    ['Rust start → BX24.init call', [m['app.start'], m['init.call']]],
    ['BX24.init handshake', [m['init.call'], m['init.done']]],
    ['init → getStatus call', [m['init.done'], m['getStatus.call']]],
    ['getStatus', [m['getStatus.call'], m['getStatus.done']]],
    ['getStatus → batch sent', [m['getStatus.done'], m['batch.call']]],
    ['first batch (REST round trip)', [m['batch.call'], m['batch.done']]],
    ['batch → name in DOM', [m['batch.done'], m['name.dom']]],
    ['name → next frame (painted)', [m['name.dom'], m['name.painted']]],
  ];
  return rows.map(([label, s]) => [label, s && s[0] !== undefined && s[1] !== undefined ? s : null]);
}

function printBreakdown(title, runs) {
  console.log(`\n${title} (median of ${runs.length} runs; ms from the frame's navigation: start → end, duration)`);
  const per = runs.map(breakdown);
  for (let i = 0; i < per[0].length; i++) {
    const spans = per.map((b) => b[i][1]).filter(Boolean);
    if (!spans.length) { console.log(`  ${per[0][i][0].padEnd(32)} —`); continue; }
    const s = median(spans.map((x) => x[0]));
    const e = median(spans.map((x) => x[1]));
    const d = median(spans.map((x) => x[1] - x[0]));
    console.log(`  ${per[0][i][0].padEnd(32)} ${s.toFixed(0).padStart(5)} → ${e.toFixed(0).padStart(5)}   ${d.toFixed(0).padStart(4)} ms`);
  }
  const cached = runs[0].res.filter((e) => /\.(wasm|js|css)$/.test(e.name)).map((e) => `${path.basename(e.name)}: ${e.type || (e.size === 0 ? 'cache' : `network ${e.size} B`)}`);
  console.log(`  assets (first run): ${cached.join(', ')}`);
}

// ---------------------------------------------------------------- main
const cert = ROUTED ? null : certificate();
const args = [ALLOW_PARTITIONED_STORAGE];
let server = null;
if (!ROUTED) {
  args.push(`--host-resolver-rules=${HOSTS.map((h) => `MAP ${h} 127.0.0.1:${XPORT}`).join(', ')}`, `--ignore-certificate-errors-spki-list=${cert.spki}`);
}
const { BASE, browser, close } = await start(8012, args);
const local = BASE.replace(/\/$/, '');
if (!ROUTED) {
  server = http2.createSecureServer({ key: cert.key, cert: cert.cert, allowHTTP1: true }, (req, res) => serveBed(req, res, local).catch(() => res.destroy()));
  await new Promise((r, j) => server.listen(XPORT, '127.0.0.1', r).on('error', j));
}
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');

async function freshPage() {
  const context = await browser.newContext();
  await context.exposeBinding('__benchDone', (_source, json) => current && current.done && current.done(json));
  await context.addInitScript(probe, EXPECT);
  return { context, page: await context.newPage() };
}

try {
  console.log(`bench_startup: ${RUNS} runs, REST latency ${LATENCY} ms, ${ROUTED ? 'Playwright routes (no HTTP cache)' : `HTTPS bed server (HTTP cache on, ${COMPRESS ? 'brotli' : 'uncompressed'})`}, load ${load()}`);
  const results = { cold: { card: [], ref: [] }, warm: { card: [], ref: [] } };
  const warm = {};
  for (const kind of ['card', 'ref']) {
    warm[kind] = await freshPage();
    await openOnce(warm[kind].page, kind, local); // fills the cache; not counted
    // The card stays open during a call: time for V8 to keep the wasm's compiled code.
    await new Promise((r) => setTimeout(r, 5000));
  }
  // A throw-away cold pair: the first contexts of a browser pay for its own start.
  for (const kind of ['card', 'ref']) {
    const { context, page } = await freshPage();
    await openOnce(page, kind, local);
    await context.close();
  }
  if (process.argv.includes('--trace')) {
    // One more warm opening of the card under a Chromium trace (for a look with chrome://tracing).
    const file = path.join(os.tmpdir(), 'callcard-startup-trace.json');
    const categories = ['devtools.timeline', 'blink.user_timing', 'v8', 'v8.wasm', 'disabled-by-default-devtools.timeline', 'toplevel'];
    if (process.argv.includes('--cpu')) categories.push('disabled-by-default-v8.cpu_profiler');
    await browser.startTracing(undefined, { path: file, categories });
    const r = await openOnce(warm.card.page, 'card', local);
    await browser.stopTracing();
    console.log(`trace of a warm card opening (${r.ms.toFixed(0)} ms): ${file}`);
  }
  for (let i = 0; i < RUNS; i++) {
    const order = i % 2 ? ['ref', 'card'] : ['card', 'ref'];
    for (const kind of order) {
      const { context, page } = await freshPage();
      results.cold[kind].push(await openOnce(page, kind, local));
      await context.close();
    }
    for (const kind of order) results.warm[kind].push(await openOnce(warm[kind].page, kind, local));
    const c = results.cold, w = results.warm;
    console.log(`run ${i + 1}: cold card ${c.card[i].ms.toFixed(0)} ms / ref ${c.ref[i].ms.toFixed(0)} ms = ${(c.card[i].ms / c.ref[i].ms).toFixed(2)}×;  `
      + `warm card ${w.card[i].ms.toFixed(0)} ms / ref ${w.ref[i].ms.toFixed(0)} ms = ${(w.card[i].ms / w.ref[i].ms).toFixed(2)}×  (load ${load()})`);
  }
  for (const phase of ['cold', 'warm']) {
    const { card, ref } = results[phase];
    const ratios = card.map((c, i) => c.ms / ref[i].ms);
    console.log(`${phase}: median card ${median(card.map((r) => r.ms)).toFixed(0)} ms, ref ${median(ref.map((r) => r.ms)).toFixed(0)} ms, `
      + `ratio of medians ${(median(card.map((r) => r.ms)) / median(ref.map((r) => r.ms))).toFixed(2)}×, median of ratios ${median(ratios).toFixed(2)}×`);
  }
  const c0 = results.cold.card[0], r0 = results.cold.ref[0];
  const same = JSON.stringify(c0.batches[0]) === JSON.stringify(r0.batches[0]);
  console.log(`first batch: card ${JSON.stringify(c0.batches[0])} (${c0.rest.length} REST request(s) to the name), reference ${same ? 'the same commands' : JSON.stringify(r0.batches[0])} (${r0.rest.length})`);
  printBreakdown('card, cold', results.cold.card);
  printBreakdown('card, warm', results.warm.card);
  printBreakdown('reference, cold', results.cold.ref);
  printBreakdown('reference, warm', results.warm.ref);
  console.log(`load at the end: ${load()}`);
} finally {
  await close();
  if (server) server.close();
}
