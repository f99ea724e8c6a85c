#!/usr/bin/env node
// REST-layer figures on the demo portal (release build in dist/; run `trunk build --release` first).
// Not a test: it prints. Requests are the demo portal's own count (every request, failed ones too).
//   requests per refresh             first load and single switches (target 1)
//   requests per burst               10 client switches within 1 s (target <= 2)
//   sustained rate under a storm     50 % of requests answer 503; switches asked 4x a second for 30 s (target <= 2/s)
//   time to converge under a storm   from a switch to the right client on screen, 50 % 503s
import { start, sleep, median } from './harness.mjs';

const { BASE, browser, close } = await start(8012);
const count = async (page) => Number(await page.getByTestId('demo-request-count').innerText());
/** Waits until the card is settled: no refresh running, no retry pending. */
async function settled(page, timeout = 120_000) {
  await page.waitForFunction(() => !document.querySelector('[data-testid=rest-status]')
    && document.querySelector('[data-testid=client]')?.getAttribute('aria-busy') !== 'true', null, { timeout, polling: 20 });
  return page.evaluate(() => document.querySelector('[data-testid=client]')?.getAttribute('data-entity') ?? 'none');
}
/** The entity a clean demo (same seed) shows after `n` switches. */
async function truth(seed, n) {
  const p = await browser.newPage();
  await p.goto(`${BASE}?latency=0&seed=${seed}`);
  await p.waitForFunction(() => document.querySelector('[data-testid=client-name]'));
  await settled(p);
  for (let i = 0; i < n; i++) {
    const before = await count(p);
    await p.getByTestId('demo-switch-client').click();
    await p.waitForFunction((b) => Number(document.querySelector('[data-testid=demo-request-count]').innerText) > b
      || document.querySelector('[data-testid=client-type][data-type=NONE]'), before);
    await settled(p);
  }
  const e = await settled(p);
  await p.close();
  return e;
}

try {
  // 1. Requests per refresh.
  const page = await browser.newPage();
  await page.goto(`${BASE}?latency=50&seed=1`);
  await page.waitForFunction(() => document.querySelector('[data-testid=client-name]'));
  await settled(page);
  const first = await count(page);
  const per = [];
  for (let i = 0; i < 6; i++) {
    const before = await count(page);
    await page.getByTestId('demo-switch-client').click();
    await sleep(1100);
    await settled(page);
    per.push((await count(page)) - before);
  }
  console.log(`requests per refresh: first load ${first}; single switches ${JSON.stringify(per)} (target 1; 0 = nothing to ask)`);

  // 2. A burst of 10 switches within 1 s.
  const bursts = [];
  for (const seed of [1, 2, 3]) {
    const p = await browser.newPage();
    await p.goto(`${BASE}?latency=50&seed=${seed}`);
    await p.waitForFunction(() => document.querySelector('[data-testid=client-name]'));
    await settled(p);
    const before = await count(p);
    // Ten clicks 100 ms apart, timed in the page: the burst spans 0.9 s.
    await p.evaluate(() => new Promise((done) => {
      const btn = document.querySelector('[data-testid=demo-switch-client]');
      let n = 0;
      const tick = () => { btn.click(); if (++n < 10) setTimeout(tick, 100); else done(); };
      tick();
    }));
    await sleep(50);
    const shown = await settled(p);
    const right = (await truth(seed, 10)) === shown;
    bursts.push(`${(await count(p)) - before}${right ? '' : ' (WRONG CLIENT)'}`);
    await p.close();
  }
  console.log(`requests per burst of 10 switches in 1 s: ${bursts.join(', ')} (target <= 2; each ended on the right client unless marked)`);

  // 3. Sustained rate under a 50 % 503 storm, switches asked 4 times a second for 30 s.
  {
    const p = await browser.newPage();
    await p.goto(`${BASE}?latency=50&seed=4&fail=QUERY_LIMIT_EXCEEDED:0.5`);
    await settled(p);
    const before = await count(p);
    const t0 = Date.now();
    while (Date.now() - t0 < 30_000) { await p.getByTestId('demo-switch-client').click(); await sleep(250); }
    const during = (await count(p)) - before;
    const secs = (Date.now() - t0) / 1000;
    await settled(p);
    console.log(`sustained rate under a 50 % 503 storm: ${during} requests in ${secs.toFixed(1)} s = ${(during / secs).toFixed(2)}/s with 4 switches/s asked (target <= 2/s)`);
    await p.close();
  }

  // 4. Time to converge under a 50 % 503 storm: switch, then the right client settled on screen.
  {
    const times = [];
    let wrong = 0;
    for (const seed of [5, 6, 7, 8, 9]) {
      const p = await browser.newPage();
      await p.goto(`${BASE}?latency=50&seed=${seed}&fail=QUERY_LIMIT_EXCEEDED:0.5`);
      await settled(p);
      for (let i = 1; i <= 3; i++) {
        const t0 = Date.now();
        await p.getByTestId('demo-switch-client').click();
        await sleep(30);
        const shown = await settled(p);
        times.push(Date.now() - t0);
        if (shown !== await truth(seed, i)) wrong++;
      }
      await p.close();
    }
    console.log(`time to converge under a 50 % 503 storm: median ${median(times)} ms, max ${Math.max(...times)} ms over ${times.length} switches; wrong client shown at the end: ${wrong}`);
  }
} finally {
  await close();
}
