#!/usr/bin/env node
// Prints figures for the release build in dist/ (run `trunk build --release` first):
// REST requests per refresh (demo portal and the real-portal path in the fake portal, tests/e2e/portal.mjs),
// and time to first client / time per client switch in headless Chromium. Not a test: it prints.
import { start, sleep, median } from './harness.mjs';
import { openPortal, ALLOW_PARTITIONED_STORAGE } from '../tests/e2e/portal.mjs';

const { BASE, browser, close } = await start(8011, [ALLOW_PARTITIONED_STORAGE]);
const loaded = (page) => page.waitForFunction(() => document.querySelector('[data-testid=client-name]')?.tagName === 'BUTTON');

try {
  // Demo portal: latency 0, so the times are the card's own work (decode, render) plus the worker hop.
  const page = await browser.newPage();
  const t0 = Date.now();
  await page.goto(`${BASE}?latency=0`);
  await loaded(page);
  const firstMs = Date.now() - t0;
  const count = async () => Number(await page.getByTestId('demo-request-count').innerText());
  const first = await count();
  const switches = [];
  const perSwitch = [];
  for (let i = 0; i < 8; i++) {
    const before = await count();
    const name = await page.getByTestId('client-name').innerText();
    const s0 = Date.now();
    await page.getByTestId('demo-switch-client').click();
    await page.waitForFunction((n) => {
      const el = document.querySelector('[data-testid=client-name]');
      return el && el.innerText !== n && (el.tagName === 'BUTTON' || el.closest('[data-type=NONE]') || document.querySelector('[data-testid=client-type][data-type=NONE]'));
    }, name);
    await sleep(50);
    switches.push(Date.now() - s0);
    perSwitch.push((await count()) - before);
  }
  console.log(`demo portal: first load ${firstMs} ms to the client on screen; ${first} REST request(s) for the first refresh`);
  console.log(`demo portal: client switch: median ${median(switches)} ms; requests per switch ${JSON.stringify(perSwitch)} (0 = nothing to ask, e.g. an unknown number)`);

  // Real-portal path in the fake portal (tests/e2e/portal.mjs): cross-site frame, the fake library from
  // https://api.bitrix24.com/api/v1/, real XHRs to the portal's REST host (20 ms per answer).
  const real = await browser.newPage();
  const r0 = Date.now();
  const bed = await openPortal(real, { local: BASE.replace(/\/$/, '') });
  await bed.frame().waitForFunction(() => document.querySelector('[data-testid=client-name]')?.tagName === 'BUTTON');
  const realMs = Date.now() - r0;
  const reqs = bed.requests.length;
  const log = bed.methods();
  await bed.evaluate(() => window.__fakeBx24.setCallState('connected'));
  await sleep(200);
  const afterState = bed.requests.length;
  await bed.evaluate(() => window.__fakeBx24.switchClient({ PHONE_NUMBER: '+4940987654', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 801 }));
  await bed.frame().waitForFunction(() => document.querySelector('[data-testid=client-name]')?.innerText === 'Anna Schmidt');
  await sleep(200);
  const afterSwitch = bed.requests.length;
  console.log(`in Bitrix24 (fake portal, library cross-origin): first load ${realMs} ms (portal page to client on screen); REST requests for the first refresh: ${reqs} (${log.join(', ')})`);
  console.log(`in Bitrix24 (fake portal): CallStateChanged cost ${afterState - reqs} request(s); EntityChanged cost ${afterSwitch - afterState} request(s)`);
} finally {
  await close();
}
