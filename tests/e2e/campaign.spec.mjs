// The campaign block (issue 12) on the demo portal (release build): driven by keyboard only, focus
// stays on the control or moves to its result after every action, never <body>; a long list shows
// the reading line and costs "Next" at most two requests (its pages are kept, a few re-read).
import { test, expect } from '@playwright/test';
import { collectConsole, demoUrl } from './helpers.mjs';
import { blocks } from './pages.mjs';

/** Where keyboard focus is: tag, the nearest data-testid, data-list, and whether it is in the block. */
const focus = (page) => page.evaluate(() => {
  const a = document.activeElement;
  const t = a && a.closest('[data-testid]');
  return {
    tag: a ? a.tagName : 'NONE',
    testid: t ? t.dataset.testid : '',
    list: (a && a.dataset && a.dataset.list) || '',
    inBlock: !!(a && a.closest('[data-testid=campaign]')),
  };
});

/** Asserts focus is not on <body> (nor lost), and returns where it is. */
async function notBody(page, after) {
  const f = await focus(page);
  expect(f.tag, `after ${after}: focus is on ${JSON.stringify(f)}`).not.toBe('BODY');
  expect(f.tag, `after ${after}`).not.toBe('NONE');
  return f;
}

const requests = (page) => blocks(page).demo.requests();
/** "Next" as the native card presses it: outside the frame, so keyboard focus stays where it is. */
const nextClient = (page) => page.evaluate(() => document.querySelector('[data-testid=demo-next]').click());

test.describe('campaign block by keyboard', () => {
  test('call lists: show, remove, add — focus stays on the control or its result', async ({ page }) => {
    const card = blocks(page);
    const log = collectConsole(page);
    await page.goto(demoUrl({ latency: 150 }));
    await expect(card.client.card).toHaveAttribute('data-entity', /^CONTACT:/);
    await card.campaign.listsLoad.focus();
    await page.keyboard.press('Enter');
    // The button hides itself at once: focus waits on the block, not on <body>.
    expect((await notBody(page, 'Show my call lists (loading)')).inBlock).toBe(true);
    await expect(card.campaign.listRows.first()).toBeVisible();
    await expect(card.campaign.rowActions.first()).toBeEnabled();
    let f = await notBody(page, 'Show my call lists');
    expect(f.testid).toBe('campaign-lists');
    // Tab into the lists: the first list's add/remove button.
    await page.keyboard.press('Tab');
    f = await focus(page);
    expect(f.testid).toMatch(/^campaign-(add|remove)$/);
    const list = f.list;
    const row = card.campaign.list(list);
    for (const to of ['false', 'true']) {
      await page.keyboard.press('Enter');
      // Disabled while the write runs: focus waits on the block.
      await notBody(page, 'remove/add (writing)');
      await expect(row).toHaveAttribute('data-has', to);
      await expect(row.locator('[data-action]')).toBeEnabled();
      f = await notBody(page, `remove/add → data-has=${to}`);
      // Back on the same list's button (now the other action).
      expect(f.list).toBe(list);
      expect(f.testid).toBe(to === 'true' ? 'campaign-remove' : 'campaign-add');
    }
    await expect(card.campaign.note).toBeHidden();
    // Another client: the card refreshes and the lists are read again under the old rows
    // (never replaced by a skeleton), and focus stays on the same button.
    await page.evaluate(() => {
      window.__listsGone = false;
      new MutationObserver(() => {
        if (!document.querySelector('[data-testid=campaign-list]')) window.__listsGone = true;
      }).observe(document, { subtree: true, childList: true });
    });
    const before = await requests(page);
    await page.evaluate(() => document.querySelector('[data-testid=demo-switch-client]').click());
    await expect.poll(() => requests(page)).toBeGreaterThan(before + 1);
    await page.waitForTimeout(500);
    expect(await page.evaluate(() => window.__listsGone)).toBe(false);
    f = await notBody(page, 'a refresh with the lists shown');
    expect(f.list).toBe(list);
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });

  test('campaign: choose, Next, change list, choose again — never <body>', async ({ page }) => {
    const card = blocks(page);
    const log = collectConsole(page);
    await page.goto(demoUrl({ scenario: 'campaign', latency: 50 }));
    const picker = card.campaign.picker;
    const progress = card.campaign.progress;
    await expect(picker).toBeVisible();
    await picker.focus();
    await page.keyboard.press('ArrowDown'); // a closed <select>: the next option, and `change`
    await expect(progress).toBeVisible();
    let f = await notBody(page, 'choosing a list');
    expect(f.testid).toBe('campaign-progress');
    await page.keyboard.press('Tab');
    expect((await focus(page)).testid).toBe('campaign-change');
    // "Next" rebuilds the figures: focus stays on "Change list".
    for (let i = 1; i <= 2; i++) {
      const done = Number(await progress.getAttribute('data-done'));
      await nextClient(page);
      await expect(progress).toHaveAttribute('data-done', String(done + 1));
      f = await notBody(page, `Next #${i}`);
      expect(f.testid).toBe('campaign-change');
    }
    // Change list: focus moves to the picker; choosing there moves it to the progress.
    await page.keyboard.press('Enter');
    await expect(picker).toBeVisible();
    expect((await notBody(page, 'Change list')).testid).toBe('campaign-picker');
    await page.keyboard.press('ArrowDown');
    await expect(progress).toBeVisible();
    expect((await notBody(page, 'choosing again')).testid).toBe('campaign-progress');
    // The demo's own "Next" by keyboard: focus stays on it while the block follows.
    await card.demo.nextButton.focus();
    const before = await requests(page);
    await page.keyboard.press('Enter');
    await expect.poll(() => requests(page)).toBeGreaterThan(before);
    await page.waitForTimeout(300);
    expect((await notBody(page, 'demo Next')).testid).toBe('demo-next');
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });

  test('a failed read offers Retry, and Retry keeps focus', async ({ page }) => {
    const card = blocks(page);
    await page.goto(demoUrl({ scenario: 'campaign', latency: 0, fail: 'ACCESS_DENIED:1:crm.calllist.items.get' }));
    const retry = card.campaign.retry;
    await expect(card.campaign.error).toBeVisible();
    const before = await requests(page);
    await retry.focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => requests(page)).toBeGreaterThan(before);
    await expect(retry).toBeVisible();
    expect((await notBody(page, 'Retry')).testid).toBe('campaign-retry');
    // The rest of the card keeps working.
    await expect(card.client.card).toBeVisible();
  });
});

test.describe('a long call list', () => {
  test('reading line while pages are read, old figures stay, "Next" costs at most two requests', async ({ page }) => {
    const card = blocks(page);
    // Every page read is recorded as it appears (the line may be on screen for a moment only).
    await page.addInitScript(() => {
      window.__reading = [];
      new MutationObserver(() => {
        const r = document.querySelector('[data-testid=campaign-reading]');
        if (r) window.__reading.push({ read: Number(r.dataset.read), total: r.dataset.total, text: r.textContent });
      }).observe(document, { subtree: true, childList: true, attributes: true });
    });
    await page.goto(demoUrl({ scenario: 'campaign', latency: 200, calllist_size: 4000 }));
    const picker = card.campaign.picker;
    await expect(picker).toBeVisible();
    const seen = await page.evaluate(() => window.__reading);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen[0].text).toMatch(/^Reading the call lists… [\d,]+ read$/);
    const reads = seen.map((s) => s.read);
    expect(reads).toEqual([...reads].sort((a, b) => a - b));
    await expect(card.campaign.reading).toHaveCount(0);
    await picker.selectOption('6');
    const progress = card.campaign.progress;
    await expect(progress).toHaveAttribute('data-total', '4000');
    for (let i = 0; i < 3; i++) {
      const before = await requests(page);
      const done = Number(await progress.getAttribute('data-done'));
      await nextClient(page);
      await expect(progress).toHaveAttribute('data-done', String(done + 1));
      await page.waitForTimeout(400);
      expect(await requests(page) - before).toBeLessThanOrEqual(2);
    }
    const inWork = Number(await card.campaign.status('IN_WORK').getAttribute('data-count'));
    expect(inWork).toBe(4000 - Number(await progress.getAttribute('data-done')));
    // A frame reload: the list is read whole again, the line knows the size from last time.
    await page.evaluate(() => { window.__reading = []; });
    await page.reload();
    await expect(progress).toHaveAttribute('data-total', '4000');
    const again = await page.evaluate(() => window.__reading);
    expect(again.length).toBeGreaterThan(0);
    expect(again.some((s) => s.total === '4000' && /of ~4,000$/.test(s.text))).toBe(true);
    // In Russian (the tab remembers the list: its progress, read whole again, size known).
    await page.goto(demoUrl({ scenario: 'campaign', latency: 200, calllist_size: 4000, lang: 'ru' }));
    await expect(progress).toHaveAttribute('data-total', '4000');
    const ru = await page.evaluate(() => window.__reading);
    expect(ru.some((s) => /^Читаю список обзвона… [\d\u00a0]+ из ~4\u00a0000$/.test(s.text))).toBe(true);
  });
});
