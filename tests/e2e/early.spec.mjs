// The early start (issue 12): index.html runs BX24.init, binds the call card's three events and
// asks getStatus the moment the library has run, while the WebAssembly still loads; the card takes
// each over once (src/frame/early.rs). Nothing may be done twice (bindEvent has no unbind: a second
// binding would double every event) and nothing may be lost: an event that comes after the early
// answer, before the card runs, makes that answer stale. Release build, same-origin fake library.
import { test, expect } from '@playwright/test';
import { demoUrl, installFakeBx24, openViaPost } from './helpers.mjs';

/** Holds the card's WebAssembly back `ms`, so that the early start is done long before it runs. */
async function slowWasm(page, ms) {
  await page.route(/callcard-[0-9a-f]+_bg\.wasm$/, async (route) => {
    await new Promise((r) => setTimeout(r, ms));
    await route.continue();
  });
}

const fake = (page) => page.evaluate(() => ({
  getStatus: window.__fakeBx24.calls.filter((c) => c === 'getStatus').length,
  listeners: ['CallCard::CallStateChanged', 'CallCard::EntityChanged', 'CallCard::BeforeClose'].map((e) => window.__fakeBx24.listenerCount(e)),
  early: { init: !!window.__ccEarly.initTaken, status: !!window.__ccEarly.statusTaken, sink: !!window.__ccEarly.sink },
}));

test('the card takes over the early init, events and getStatus: each done once', async ({ page }) => {
  await installFakeBx24(page, {});
  await slowWasm(page, 400);
  await openViaPost(page);
  await expect(page.getByTestId('client-name')).toHaveText('Klaus Weber');
  const f = await fake(page);
  expect(f.early).toEqual({ init: true, status: true, sink: true });
  expect(f.getStatus, 'the early answer is used, not asked again').toBe(1);
  expect(f.listeners, 'each event bound once').toEqual([1, 1, 1]);
  // The handed-over events reach the card, once each.
  expect(await page.evaluate(() => window.__fakeBx24.setCallState('connected'))).toBe(1);
  await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
});

test('an event after the early getStatus, before the card runs: kept, and getStatus asked again', async ({ page }) => {
  await installFakeBx24(page, {});
  // The call connects right after the early answer, while the WebAssembly is held back.
  await page.addInitScript(() => {
    const t = setInterval(() => {
      const E = window.__ccEarly;
      if (!E || !E.status) return;
      clearInterval(t);
      E.status.then(() => setTimeout(() => window.__fakeBx24.setCallState('connected'), 20));
    }, 5);
  });
  await slowWasm(page, 500);
  await openViaPost(page);
  await expect(page.getByTestId('client-name')).toHaveText('Klaus Weber');
  await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
  const f = await fake(page);
  expect(f.getStatus, 'the stale early answer is not used: asked again').toBe(2);
  expect(f.listeners).toEqual([1, 1, 1]);
});

test('outside a Bitrix24 frame there is no early start (the demo)', async ({ page }) => {
  await page.goto(demoUrl({ latency: 0 }));
  await expect(page.getByTestId('client-name')).toBeVisible();
  expect(await page.evaluate(() => typeof window.__ccEarly)).toBe('undefined');
});

test('a library that throws in init: the early start steps aside, the card reports it', async ({ page }) => {
  await installFakeBx24(page, {});
  await page.addInitScript(() => {
    const B = window.BX24;
    const init = B.init;
    let n = 0;
    B.init = function (cb) { n++; if (n === 1) throw new Error('boom in init'); return init.call(this, cb); };
  });
  await openViaPost(page);
  // The early start's throw is its own; the card calls init itself and opens.
  await expect(page.getByTestId('client-name')).toHaveText('Klaus Weber');
  expect(await page.evaluate(() => !!window.__ccEarly.init)).toBe(false);
  expect((await fake(page)).listeners).toEqual([1, 1, 1]);
});
