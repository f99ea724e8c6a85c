// The REST layer end to end on the demo portal: a 503 storm, an expired token, a refused binding,
// and a burst of client switches. The demo's faults are deterministic per seed.
import { test, expect } from '@playwright/test';
import { collectConsole, demoUrl } from './helpers.mjs';

const count = async (page) => Number(await page.getByTestId('demo-request-count').innerText());

/** Clicks "next client" `n` times, `gapMs` apart, from inside the page: Playwright's own click waits
 * for the button to stop moving (the card above it changes height with each client), which spread
 * "ten switches within a second" over 1.5 s and so measured another burst. */
async function switches(page, n, gapMs) {
  await page.getByTestId('demo-switch-client').waitFor();
  await page.evaluate(async ([n, gap]) => {
    for (let i = 0; i < n; i++) {
      document.querySelector('[data-testid=demo-switch-client]').click();
      if (gap) await new Promise((r) => setTimeout(r, gap));
    }
  }, [n, gapMs]);
}

/** What the card shows once it has settled: client entity and name, bindings. */
async function settled(page) {
  await expect(page.getByTestId('rest-status')).toHaveCount(0, { timeout: 60_000 });
  await expect(page.getByTestId('client')).not.toHaveAttribute('aria-busy', 'true', { timeout: 60_000 });
  return {
    entity: await page.getByTestId('client').getAttribute('data-entity'),
    name: await page.getByTestId('client-name').innerText(),
    bindings: await page.getByTestId('binding').evaluateAll((els) => els.map((e) => e.innerText)),
  };
}

test('a burst of ten switches within a second costs at most two requests and ends on the last client', async ({ page }) => {
  await page.goto(demoUrl({ latency: 60, seed: 5 }));
  await expect(page.getByTestId('demo-request-count')).toHaveText('1');
  await switches(page, 10, 80);
  const burst = await settled(page);
  expect(await count(page) - 1).toBeLessThanOrEqual(2);

  // The same ten switches one by one, each awaited, on a fresh demo: the same client in the end.
  const calm = await page.context().newPage();
  await calm.goto(demoUrl({ latency: 0, seed: 5 }));
  await expect(calm.getByTestId('demo-request-count')).toHaveText('1');
  for (let i = 0; i < 10; i++) {
    const before = await calm.getByTestId('client-name').innerText();
    await calm.getByTestId('demo-switch-client').click();
    await expect(calm.getByTestId('client-name')).not.toHaveText(before);
  }
  expect(await settled(calm)).toEqual(burst);
});

test('under a 50 % storm of 503s the card converges to the right client and bindings, and says it is retrying', async ({ page }) => {
  test.setTimeout(120_000);
  const log = collectConsole(page);
  await page.goto(demoUrl({ latency: 40, seed: 3, fail: 'QUERY_LIMIT_EXCEEDED:0.5' }));
  // The operator is told, calmly, that the portal is busy and when the next attempt goes out.
  const told = page.waitForSelector('[data-testid=rest-status][data-state=retrying]', { timeout: 60_000 })
    .then((el) => el.innerText());
  await switches(page, 4, 1500);
  expect(await told).toMatch(/^The portal is (busy|not answering), retrying in \d+ s$/);
  const stormy = await settled(page);
  await expect(page.getByTestId('error-banner')).toHaveCount(0);

  const clean = await page.context().newPage();
  await clean.goto(demoUrl({ latency: 0, seed: 3 }));
  await expect(clean.getByTestId('demo-request-count')).toHaveText('1');
  for (let i = 0; i < 4; i++) {
    const before = await clean.getByTestId('client-name').innerText();
    await clean.getByTestId('demo-switch-client').click();
    await expect(clean.getByTestId('client-name')).not.toHaveText(before);
  }
  expect(stormy).toEqual(await settled(clean));
  // Nothing technical leaked to the operator, and no token to the console.
  expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
});

test('the busy line is in Russian for a Russian portal', async ({ page }) => {
  await page.goto(demoUrl({ latency: 40, seed: 3, lang: 'ru', fail: 'QUERY_LIMIT_EXCEEDED:0.5' }));
  const told = page.waitForSelector('[data-testid=rest-status][data-state=retrying]', { timeout: 30_000 })
    .then((el) => el.innerText());
  await switches(page, 4, 1500);
  expect(await told).toMatch(/^Портал (перегружен|не отвечает), повтор через \d+ с$/);
});

test('an expired token is refreshed and the card keeps working without a reload', async ({ page }) => {
  await page.goto(demoUrl({ latency: 20, seed: 2, expire: 2 }));
  await expect(page.getByTestId('demo-request-count')).toHaveText('1');
  const loadedAt = await page.evaluate(() => performance.timeOrigin);
  const seen = [];
  for (let i = 0; i < 5; i++) {
    const before = await page.getByTestId('client-name').innerText();
    await page.getByTestId('demo-switch-client').click();
    await expect(page.getByTestId('client-name')).not.toHaveText(before);
    await expect(page.getByTestId('client')).not.toHaveAttribute('aria-busy', 'true');
    seen.push(await page.getByTestId('client-name').innerText());
  }
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
  // Same document: no reload happened.
  expect(await page.evaluate(() => performance.timeOrigin)).toBe(loadedAt);
  // Each switch cost its refresh, plus the request the expired token refused (every 2nd one).
  expect(await count(page)).toBeGreaterThan(6);
  expect(new Set(seen).size).toBe(5);
});

test('a binding the user may not read says "no access", the rest of the card works', async ({ page }) => {
  await page.goto(demoUrl({ latency: 0, fail: 'ACCESS_DENIED:1:crm.item.list' }));
  await expect(page.getByTestId('client-name')).toBeVisible();
  await expect(page.getByTestId('binding-missing').first()).toHaveText('No access');
  await expect(page.getByTestId('error-banner')).toHaveCount(0);
});

test('the demo panel switches faults by link and keeps the scenario', async ({ page }) => {
  await page.goto(demoUrl({ latency: 0, scenario: 'outgoing' }));
  await page.getByTestId('demo-fault-storm').click();
  await expect(page).toHaveURL(/scenario=outgoing.*fail=QUERY_LIMIT_EXCEEDED%3A0\.5|scenario=outgoing.*fail=QUERY_LIMIT_EXCEEDED:0\.5/);
  await page.getByTestId('demo-fault-none').click();
  await expect(page).not.toHaveURL(/fail=/);
});
