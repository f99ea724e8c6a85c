// The wrap-up after a call (issue 11): on the demo portal and inside the fake portal
// (tests/e2e/portal.mjs: cross-site frame, library cross-origin, REST over https with CORS;
// the frame's storage is refused there, so drafts go to BX24.userOption).
import { test, expect } from '@playwright/test';
import path from 'node:path';
import fs from 'node:fs';
import { collectConsole, demoUrl, fakeDefaults, SCREENSHOT_DIR } from './helpers.mjs';
import { blocks } from './pages.mjs';
import { openPortal } from './portal.mjs';

function noErrors(lines, allowed = []) {
  const bad = lines.filter((l) => (l.startsWith('error') || l.startsWith('pageerror')) && !allowed.some((a) => l.includes(a)));
  expect(bad, bad.join('\n')).toEqual([]);
}

/** The commands of the batches the fake portal ran, by method. */
async function commands(bed, method, key) {
  const h = await bed.ctl('history');
  return h.filter((e) => e.batchKey !== undefined && e.method === method && (key === undefined || e.batchKey === key));
}

/** The read-back's own command (crates/core/src/wrapup/save.rs READ_NOTE_KEY); the refresh batch lists comments too. */
const READ_BACK = 'readNote';

async function endCallInBed(bed) {
  const card = blocks(bed.app);
  await expect(card.client.name).toHaveText('Klaus Weber');
  await bed.evaluate(() => window.__fakeBx24.setCallState('connected'));
  await expect(card.call.state).toHaveAttribute('data-state', 'connected');
  await bed.evaluate(() => window.__fakeBx24.setCallState('idle'));
  await expect(card.wrapup.panel).toBeVisible();
}

test.describe('demo portal', () => {
  test('a call ends → the panel; typing holds the card; one Save; released; the card closes later', async ({ page }) => {
    const card = blocks(page);
    const log = collectConsole(page);
    await page.goto(demoUrl({ latency: 0, autoclose: 3 }));
    await expect(card.demo.requestCount).toHaveText('1');
    await expect(card.wrapup.panel).toBeHidden();
    await card.demo.answer();
    await expect(card.call.state).toHaveAttribute('data-state', 'connected');
    await card.demo.hangup();
    const panel = card.wrapup.panel;
    await expect(panel).toBeVisible();
    await expect(card.demo.autoclose).toHaveAttribute('data-state', 'free');
    // The results are the defaults (no appOption set).
    await expect(card.wrapup.results).toHaveText(['Reached', 'No answer', 'Call back', 'Not interested', 'Wrong number']);
    await card.wrapup.note.fill('Wants the price list by Friday.');
    await expect(card.demo.autoclose).toHaveAttribute('data-state', 'held');
    await card.wrapup.chooseResult('reached');
    await expect(card.wrapup.result('reached')).toHaveAttribute('aria-pressed', 'true');
    await card.wrapup.chooseCallback('tomorrow');
    await expect(card.wrapup.callbacks).toHaveAttribute('data-callback', 'tomorrow');
    // Held past the 3 s the demo gives an unheld card.
    await page.waitForTimeout(3500);
    await expect(card.demo.cardClosed).toBeHidden();
    // Requests settle (the history after the call), then one Save.
    await page.waitForTimeout(1500);
    const before = await card.demo.requests();
    await card.wrapup.save.click();
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'saved');
    await expect(card.wrapup.status).toContainText('Note saved');
    await expect(card.wrapup.status).toContainText('Callback planned');
    // The save is one request; the history reload after it is the other.
    await expect(card.demo.requestCount).toHaveText(String(before + 2));
    await expect(card.wrapup.note).toHaveValue('');
    await expect(card.demo.autoclose).toHaveAttribute('data-state', 'free');
    // Released after the call (the countdown runs): the portal closes the card at once (`enableAutoClose` after the call).
    await expect(card.demo.cardClosed).toBeVisible({ timeout: 5000 });
    await expect(card.call.state).toBeHidden();
    // A new call opens the card again.
    await card.demo.redial();
    await expect(card.demo.cardClosed).toBeHidden();
    await expect(card.call.state).toBeVisible();
    noErrors(log);
  });

  test('without a hold the demo card closes after the call; keep-open holds it until the next call', async ({ page }) => {
    const card = blocks(page);
    await page.goto(demoUrl({ latency: 0, autoclose: 2 }));
    await card.demo.answer();
    await card.demo.hangup();
    await expect(card.wrapup.panel).toBeVisible();
    await expect(card.demo.cardClosed).toBeVisible({ timeout: 5000 });
    await expect(card.demo.cardClosed).toContainText('Card closed by the portal');

    await page.goto(demoUrl({ latency: 0, autoclose: 2 }));
    await card.wrapup.keepOpen.click();
    await expect(card.wrapup.keepOpen).toHaveAttribute('aria-pressed', 'true');
    await expect(card.demo.autoclose).toHaveAttribute('data-state', 'held');
    await card.demo.answer();
    await card.demo.hangup();
    await page.waitForTimeout(3000);
    await expect(card.demo.cardClosed).toBeHidden();
    await card.demo.redial();
    await expect(card.wrapup.keepOpen).toHaveAttribute('aria-pressed', 'false');
    await expect(card.demo.autoclose).toHaveAttribute('data-state', 'free');
  });

  test('keyboard: Tab in order, Ctrl+Enter saves, Esc closes and keeps the draft', async ({ page }) => {
    const card = blocks(page);
    await page.goto(demoUrl({ latency: 0, lang: 'ru' }));
    await card.wrapup.open.click();
    await expect(card.wrapup.panel).toBeVisible();
    await expect(card.wrapup.note).toBeFocused();
    await card.wrapup.open.focus();
    const order = [];
    for (let i = 0; i < 16; i++) {
      await page.keyboard.press('Tab');
      order.push(await page.evaluate(() => {
        const e = document.activeElement;
        return e.dataset.testid || e.dataset.callback || e.dataset.result || e.tagName.toLowerCase();
      }));
    }
    expect(order.slice(0, 16)).toEqual([
      'keep-open', 'wrapup-result', 'wrapup-result', 'wrapup-result', 'wrapup-result', 'wrapup-result', 'wrapup-note',
      'none', '1h', 'tomorrow', '3d', 'at', 'wrapup-save', 'wrapup-discard', 'wrapup-close', order[15],
    ]);
    await card.wrapup.note.fill('Перезвонить после обеда');
    await page.keyboard.press('Escape');
    await expect(card.wrapup.panel).toBeHidden();
    await expect(card.wrapup.open).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(card.wrapup.note).toHaveValue('Перезвонить после обеда');
    await card.wrapup.note.focus();
    await page.keyboard.press('Control+Enter');
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'saved');
    await expect(card.wrapup.status).toContainText('Заметка сохранена');
    // Focus survives the save (the nodes are the same).
    await expect(card.wrapup.note).toBeFocused();
  });

  test('the administrator changes the results on the install page', async ({ page }) => {
    const card = blocks(page);
    await page.goto(demoUrl({ placement: 'DEFAULT', latency: 0 }));
    await expect(page.getByTestId('install-results')).toHaveValue('Reached\nNo answer\nCall back\nNot interested\nWrong number');
    await page.getByTestId('install-results').fill('Sold\nDemo booked\n\nSold');
    await page.getByTestId('install-results-save').click();
    await expect(page.getByTestId('install-results-status')).toHaveText('Results saved.');
    await expect(page.getByTestId('install-results')).toHaveValue('Sold\nDemo booked');
    await page.goto(demoUrl({ latency: 0 }));
    await card.wrapup.open.click();
    await expect(card.wrapup.results).toHaveText(['Sold', 'Demo booked']);
    await page.evaluate(() => localStorage.clear());
  });

  for (const lang of ['en', 'ru']) {
    for (const theme of ['light', 'dark']) {
      for (const width of [400, 900]) {
        test(`screenshot ${lang} ${theme} ${width}`, async ({ page }) => {
          const card = blocks(page);
          await page.setViewportSize({ width, height: 900 });
          await page.goto(demoUrl({ latency: 0, lang, theme }));
          await card.demo.answer();
          await card.demo.hangup();
          await expect(card.wrapup.panel).toBeVisible();
          await card.wrapup.results.first().click();
          await card.wrapup.note.fill(lang === 'ru' ? 'Просит прайс-лист до пятницы, решение за финдиректором.' : 'Wants the price list by Friday; the finance director decides.');
          await card.wrapup.chooseCallback('tomorrow');
          await page.mouse.move(0, 0);
          // The top of the card down to the panel's end (the history below is elsewhere).
          const box = await card.wrapup.panel.boundingBox();
          fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
          await page.screenshot({ path: path.join(SCREENSHOT_DIR, `wrapup-${lang}-${theme}-${width}.png`), clip: { x: 0, y: 0, width, height: Math.ceil(box.y + box.height + 12) } });
        });
      }
    }
  }
});

test.describe('inside Bitrix24 (fake portal)', () => {
  test('typing sends disableAutoClose; Save sends ONE batch with comment and to-do to the client, then enableAutoClose', async ({ page }) => {
    const log = collectConsole(page);
    const bed = await openPortal(page, { fake: { tzOffsetMin: 180 } });
    const card = blocks(bed.app);
    await endCallInBed(bed);
    await expect(card.wrapup.panel).toContainText('Klaus Weber');
    await card.wrapup.note.fill('Wants <b>the price list</b>.');
    await expect.poll(async () => (await bed.ctl('autoCloseLog')).map((e) => e.cmd)).toEqual(['disableAutoClose']);
    await card.wrapup.chooseResult('reached');
    await card.wrapup.chooseCallback('tomorrow');
    await page.waitForTimeout(1500); // the history read after the call
    const since = bed.requests.length;
    await card.wrapup.save.click();
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'saved');
    const adds = await commands(bed, 'crm.timeline.comment.add');
    const todos = await commands(bed, 'crm.activity.todo.add');
    expect(adds.length).toBe(1);
    expect(todos.length).toBe(1);
    expect(bed.requests[since].method).toBe('batch');
    // The save's batch carried both: they share one HTTP request (the next one is the history).
    const h = await bed.ctl('history');
    const at = h.findIndex((e) => e.method === 'crm.timeline.comment.add');
    expect(h[at - 1].method).toBe('batch');
    expect(h[at + 1].method).toBe('crm.activity.todo.add');
    const f = adds[0].params.fields;
    expect(f.ENTITY_TYPE).toBe('contact');
    expect(f.ENTITY_ID).toBe('797');
    expect(f.COMMENT).toMatch(/^Reached — \d{4}-\d\d-\d\d \d\d:\d\d, Incoming call from \+4930123456\nWants <b>the price list<\/b>\.\nCall back: \d{4}-\d\d-\d\d 09:00$/);
    const t = todos[0].params;
    expect([t.ownerTypeId, t.ownerId, t.responsibleId]).toEqual(['3', '797', '1']);
    expect(t.deadline).toMatch(/T09:00:00\+03:00$/);
    expect(t.title).toBe('Call back: Klaus Weber');
    expect((await bed.ctl('comments')).length).toBe(1);
    await expect.poll(async () => (await bed.ctl('autoCloseLog')).map((e) => e.cmd)).toEqual(['disableAutoClose', 'enableAutoClose']);
    // The text stays text in the status and the DOM.
    expect(await bed.app.locator('b').count()).toBe(0);
    // The history is read again at once (G's history shows comments; here: the request).
    expect(bed.methods(since).length).toBeGreaterThanOrEqual(2);
    noErrors(log);
  });

  for (const refused of [false, true]) {
    const title = refused
      ? 'a frame reload mid-draft brings the draft back: storage refused, BX24.userOption @storage-refused'
      : 'a frame reload mid-draft brings the draft back: partitioned sessionStorage';
    test(title, async ({ page }) => {
      const bed = await openPortal(page, {});
      const card = blocks(bed.app);
      await endCallInBed(bed);
      const storage = await bed.evaluate(() => { try { return window.sessionStorage ? 'works' : 'none'; } catch { return 'refused'; } });
      expect(storage).toBe(refused ? 'refused' : 'works');
      await card.wrapup.note.fill('Half-typed note');
      await card.wrapup.chooseResult('call-back');
      if (refused) {
        await expect.poll(async () => (await bed.ctl('userOptions')).wrapup_draft || '').toContain('"result":"call-back"');
      } else {
        await expect.poll(() => bed.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('wrapup.')).map((k) => sessionStorage.getItem(k)).join(''))).toContain('"result":"call-back"');
        expect((await bed.ctl('userOptions')).wrapup_draft || '').not.toContain('Half-typed note');
      }
      const kept = await bed.ctl('userOptions');
      const status = { ...fakeDefaults().status, CALL_STATE: 'idle' };
      // The portal reloads the tab: a fresh POST, a fresh library; user options are kept by the portal.
      await openPortal(page, { fake: { userOptions: kept, status } });
      await expect(card.wrapup.panel).toBeVisible();
      await expect(card.wrapup.note).toHaveValue('Half-typed note');
      await expect(card.wrapup.result('call-back')).toHaveAttribute('aria-pressed', 'true');
      await expect(card.wrapup.status).toHaveAttribute('data-state', 'kept');
      await expect.poll(async () => (await bed.ctl('autoCloseLog')).map((e) => e.cmd)).toEqual(['disableAutoClose']);
      // BeforeClose: the draft is kept (not saved) and the operator is told.
      await card.wrapup.note.fill('Half-typed note, more');
      await bed.evaluate(() => window.__fakeBx24.beforeClose());
      await expect(card.wrapup.status).toContainText('draft is kept');
      if (refused) expect((await bed.ctl('userOptions')).wrapup_draft).toContain('Half-typed note, more');
      expect((await bed.ctl('comments')).length).toBe(0);
    });
  }

  test('a save whose answer is lost is read back, not sent again', async ({ page }) => {
    const bed = await openPortal(page, {});
    const card = blocks(bed.app);
    await endCallInBed(bed);
    await card.wrapup.note.fill('Lost on the way back');
    await page.waitForTimeout(1500);
    // The portal does the work; the line drops before the answer arrives.
    await bed.evaluate(() => window.__fakeBx24.loseAnswer('batch', 1, 'abort'));
    await card.wrapup.save.click();
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'saved');
    expect((await commands(bed, 'crm.timeline.comment.add')).length).toBe(1);
    expect((await commands(bed, 'crm.timeline.comment.list', READ_BACK)).length).toBe(1);
    expect((await bed.ctl('comments')).length).toBe(1);
  });

  test('a timed-out save is read back, not sent again', async ({ page }) => {
    test.setTimeout(60_000);
    const bed = await openPortal(page, {});
    const card = blocks(bed.app);
    await endCallInBed(bed);
    await card.wrapup.note.fill('No answer at all');
    await page.waitForTimeout(1500);
    await bed.evaluate(() => window.__fakeBx24.loseAnswer('batch', 1, 'never'));
    await card.wrapup.save.click();
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'busy');
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'saved', { timeout: 30_000 });
    expect((await commands(bed, 'crm.timeline.comment.add')).length).toBe(1);
    expect((await commands(bed, 'crm.timeline.comment.list', READ_BACK)).length).toBe(1);
    expect((await bed.ctl('comments')).length).toBe(1);
  });

  test('a refused save keeps the text and offers Retry; Retry sends only what is missing', async ({ page }) => {
    const bed = await openPortal(page, {});
    const card = blocks(bed.app);
    await endCallInBed(bed);
    await card.wrapup.note.fill('Keep me');
    await card.wrapup.chooseCallback('1h');
    await page.waitForTimeout(1500);
    await bed.evaluate(() => window.__fakeBx24.failNext('crm.activity.todo.add', { status: 403, error: 'ACCESS_DENIED' }));
    await card.wrapup.save.click();
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'failed');
    await expect(card.wrapup.status).toContainText('The note is saved; the callback is not.');
    await expect(card.wrapup.save).toHaveAttribute('data-retry', 'yes');
    await expect(card.wrapup.note).toHaveValue('Keep me');
    await card.wrapup.save.click();
    await expect(card.wrapup.status).toHaveAttribute('data-state', 'saved');
    expect((await commands(bed, 'crm.timeline.comment.add')).length).toBe(1);
    expect((await commands(bed, 'crm.activity.todo.add')).length).toBe(2);
    expect((await bed.ctl('todos')).length).toBe(1);
  });

  test('without a CRM client the panel says where a note would go and offers no Save', async ({ page }) => {
    const status = { ...fakeDefaults().status, CRM_ENTITY_TYPE: '', CRM_ENTITY_ID: 0, CRM_BINDINGS: [], PHONE_NUMBER: '+4930999999' };
    const bed = await openPortal(page, { fake: { status } });
    const card = blocks(bed.app);
    await card.wrapup.open.click();
    await expect(card.wrapup.panel).toContainText('not bound to a CRM client');
    await expect(card.wrapup.save).toBeHidden();
    await expect(card.wrapup.note).toBeHidden();
    await expect(card.wrapup.keepOpen).toBeVisible();
  });
});
