// Client history and campaign mode end to end on the demo portal (release build).
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { collectConsole, demoUrl, SCREENSHOT_DIR } from './helpers.mjs';

const items = (page) => page.getByTestId('history-item');

test.describe('client history', () => {
  test('renders in English and Russian, newest first, with call facts', async ({ page }) => {
    await page.goto(demoUrl({ latency: 0 }));
    await expect(items(page).first()).toBeVisible();
    // Issue 11: the 5 most recent, then "Show all" for every loaded one (50 activities + notes).
    await expect(items(page)).toHaveCount(5);
    await page.getByTestId('history-all').click();
    expect(await page.locator('[data-testid=history-item][data-kind=activity]').count()).toBe(50);
    await expect(page.getByTestId('history-outcome').first()).toBeVisible();
    await expect(page.getByTestId('history-duration').first()).toHaveText(/^\d+:\d\d$/);
    // Newest first by date and time (issue 11), not by id.
    const at = await items(page).evaluateAll((els) => els.map((e) => Date.parse(e.querySelector('time').getAttribute('datetime'))));
    expect(at).toEqual([...at].sort((a, b) => b - a));
    // Shown in the operator's locale, from Intl.
    await expect(page.getByTestId('history-time').first()).toHaveText(/[A-Z][a-z]{2} \d{1,2}, \d{4}/);

    await page.goto(demoUrl({ latency: 0, lang: 'ru', theme: 'dark' }));
    await expect(items(page).first()).toBeVisible();
    await expect(page.locator('#cc-history-title')).toHaveText('История');
    // The demo makes its stage names in the card's language: the English visit's kept stage
    // directory must not name the Russian visit's stages (no Latin letter in any of them).
    await expect(page.getByTestId('binding-stage').first()).toBeVisible();
    expect(await page.getByTestId('binding-stage').allTextContents()).not.toContainEqual(expect.stringMatching(/[A-Za-z]/));
    await expect(page.getByTestId('history-time').first()).toHaveText(/\d{1,2} [а-я]+\.? \d{4}/);
    await expect(page.locator('[data-testid=history-item][data-call=true] .cc-history__kind').first()).toHaveText(/(Входящий|Исходящий) звонок/);
    await page.setViewportSize({ width: 400, height: 800 });
    await page.locator('#cc-history-title').scrollIntoViewIfNeeded();
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'history-ru-dark-400.png') });
  });

  test('"show more" loads the next page and stops at the end', async ({ page }) => {
    await page.goto(demoUrl({ latency: 20 }));
    await expect(items(page)).toHaveCount(5);
    await page.getByTestId('history-all').click();
    const acts = page.locator('[data-testid=history-item][data-kind=activity]');
    await expect(acts).toHaveCount(50);
    const before = await page.getByTestId('demo-request-count').innerText();
    await page.getByTestId('history-more').click();
    await expect(acts).toHaveCount(62);
    await expect(page.getByTestId('history-more')).toBeHidden();
    expect(Number(await page.getByTestId('demo-request-count').innerText())).toBe(Number(before) + 1);
    const ids = await items(page).evaluateAll((els) => els.map((e) => e.dataset.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  test('a call that ends appears at the top without a manual refresh', async ({ page }) => {
    await page.goto(demoUrl({ latency: 0 }));
    await expect(items(page).first()).toBeVisible();
    // By date (issue 11) planned activities (later starts) stay above it: look among all calls.
    await page.getByTestId('history-all').click();
    const calls = page.locator('[data-testid=history-item][data-call=true]');
    const callIds = () => calls.evaluateAll((els) => els.map((e) => e.dataset.id));
    const before = new Set(await callIds());
    await page.getByTestId('demo-answer').click();
    await page.waitForTimeout(1200);
    await page.getByTestId('demo-hangup').click();
    await expect.poll(async () => (await callIds()).filter((id) => !before.has(id)).length, { timeout: 8000 }).toBe(1);
    const fresh = (await callIds()).find((id) => !before.has(id));
    // The newest call that has happened: above every earlier call.
    const ids = await callIds();
    const at = await calls.evaluateAll((els) => els.map((e) => Date.parse(e.querySelector('time').getAttribute('datetime'))));
    const i = ids.indexOf(fresh);
    expect(at.slice(i + 1).every((t) => t <= at[i])).toBe(true);
    const top = page.locator(`[data-testid=history-item][data-id="${fresh}"]`);
    await expect(top).toHaveAttribute('data-direction', 'incoming');
    await expect(top.getByTestId('history-outcome')).toHaveText('answered');
    await expect(top.getByTestId('history-subject')).toContainText('Incoming call');
  });

  test('without access to call statistics the history still shows and claims nothing', async ({ page }) => {
    await page.goto(demoUrl({ latency: 0, stats: 'denied' }));
    await expect(items(page).first()).toBeVisible();
    await expect(page.getByTestId('history-stats-denied')).toBeVisible();
    await expect(page.getByTestId('history-duration')).toHaveCount(0);
    await expect(page.getByTestId('history-outcome')).toHaveCount(0);
  });

  test('switching clients mid-load shows the new client\'s history only', async ({ page }) => {
    await page.goto(demoUrl({ latency: 300 }));
    await expect(items(page).first()).toBeVisible();
    await page.getByTestId('demo-switch-client').click();
    await page.getByTestId('demo-switch-client').click();
    await expect(page.getByTestId('client')).not.toHaveAttribute('aria-busy', 'true', { timeout: 10000 });
    await page.getByTestId('history-all').click();
    const subjects = await page.locator('[data-testid=history-item][data-call=true] [data-testid=history-subject]').allInnerTexts();
    const last = (await page.getByTestId('client-name').innerText()).split(' ').pop();
    const calls = subjects.filter((t) => /call/.test(t));
    expect(calls.length).toBeGreaterThan(0);
    for (const s of calls) expect(s).toContain(last);
  });
});

test.describe('campaign mode', () => {
  test('finds the lists, remembers the choice, and follows "Next" through the campaign', async ({ page }) => {
    const log = collectConsole(page);
    await page.goto(demoUrl({ scenario: 'campaign', latency: 0 }));
    const picker = page.getByTestId('campaign-picker');
    await expect(picker).toBeVisible();
    const options = await picker.locator('option').evaluateAll((os) => os.map((o) => o.value).filter(Boolean));
    expect(options.length).toBeGreaterThan(1);
    await picker.selectOption(options[0]);
    const progress = page.getByTestId('campaign-progress');
    await expect(progress).toBeVisible();
    const total = Number(await progress.getAttribute('data-total'));
    expect(total).toBeGreaterThan(0);
    // One bar per status of the directory, custom ones included.
    const statuses = await page.getByTestId('campaign-status').evaluateAll((els) => els.map((e) => e.dataset.status));
    expect(statuses).toContain('IN_WORK');
    expect(statuses.length).toBeGreaterThanOrEqual(4);
    const place0 = Number(await page.getByTestId('campaign-position').getAttribute('data-place'));
    const done0 = Number(await progress.getAttribute('data-done'));
    // The bar is drawn (widths go through the CSSOM: the CSP drops style attributes).
    const widths = await page.locator('.cc-campaign__seg').evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    expect(widths.length).toBeGreaterThan(1);
    expect(widths.every((w) => w > 0)).toBe(true);
    await page.setViewportSize({ width: 400, height: 800 });
    await page.getByTestId('campaign').scrollIntoViewIfNeeded();
    fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
    await page.screenshot({ path: path.join(SCREENSHOT_DIR, 'campaign-en-light-400.png') });

    const requests = async () => Number(await page.getByTestId('demo-request-count').innerText());
    for (let i = 1; i <= 3; i++) {
      const before = await requests();
      await page.getByTestId('demo-next').click();
      await expect(page.getByTestId('campaign-position')).not.toHaveAttribute('data-place', String(place0 + i - 1));
      await expect(page.getByTestId('campaign-progress')).toHaveAttribute('data-done', String(done0 + i));
      await page.waitForTimeout(300);
      // The list's pages rode in the card's refresh: "Next" costs one request in all.
      expect(await requests()).toBe(before + 1);
    }
    const place3 = Number(await page.getByTestId('campaign-position').getAttribute('data-place'));
    expect(place3).toBeGreaterThan(place0);
    const inWork = Number(await page.locator('[data-testid=campaign-status][data-status=IN_WORK]').getAttribute('data-count'));
    expect(inWork).toBe(total - done0 - 3);

    // A frame reload does not ask again: the choice is remembered.
    await page.reload();
    await expect(page.getByTestId('campaign-progress')).toBeVisible();
    await expect(page.getByTestId('campaign-picker')).toHaveCount(0);
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });

  test('adding the client to a list and reading it back keeps every other client', async ({ page }) => {
    await page.goto(demoUrl({ latency: 0 }));
    await expect(page.getByTestId('client')).toHaveAttribute('data-entity', /^CONTACT:/);
    await page.getByTestId('campaign-lists-load').click();
    // A list the client can be added to or removed from (a contact list).
    const row = page.locator('[data-testid=campaign-list]:has([data-action])').first();
    await expect(row).toBeVisible();
    const id = await row.getAttribute('data-list');
    const has = (await row.getAttribute('data-has')) === 'true';
    const size = Number(await row.getAttribute('data-size'));
    const same = page.locator(`[data-testid=campaign-list][data-list="${id}"]`);
    const flip = async (to) => {
      await same.getByTestId(to ? 'campaign-add' : 'campaign-remove').click();
      await expect(same).toHaveAttribute('data-has', String(to));
      await expect(same).toHaveAttribute('data-size', String(size + (to === has ? 0 : to ? 1 : -1)));
    };
    // Out and back in (or in and back out): every other client stays, only the client moves.
    await flip(!has);
    await flip(has);
    await expect(page.getByTestId('campaign-note')).toBeHidden();
  });
});
