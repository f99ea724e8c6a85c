// Issue 11, "what the card shows after a call": notes (timeline comments) in the history by date
// and time with their authors, the 5 most recent items with "Show all", `last-contact` at a glance
// inside the first 650 px of a 550 px tab, and `crm-match` for a number the call is not bound to —
// on the demo portal and in the fake portal (tests/e2e/portal.mjs), one request per refresh.
import { test, expect } from '@playwright/test';
import { collectConsole, demoUrl, fakeDefaults, shot } from './helpers.mjs';
import { openPortal } from './portal.mjs';

const items = (root) => root.getByTestId('history-item');

/** The `datetime` of every shown history item, as Unix ms. */
const times = (root) => items(root).evaluateAll((els) => els.map((e) => Date.parse(e.querySelector('time').getAttribute('datetime'))));

function noErrors(lines) {
  const bad = lines.filter((l) => l.startsWith('error') || l.startsWith('pageerror'));
  expect(bad, bad.join('\n')).toEqual([]);
}

/** `last-contact` lies inside the first 650 px of the tab. */
async function glanceOnFirstScreen(locator) {
  await expect(locator).toBeVisible();
  const box = await locator.boundingBox();
  expect(box).not.toBeNull();
  expect(box.y).toBeGreaterThanOrEqual(0);
  expect(box.y + box.height).toBeLessThanOrEqual(650);
}

test.describe('demo portal', () => {
  for (const [lang, theme] of [['en', 'light'], ['ru', 'dark'], ['ru', 'light'], ['en', 'dark']]) {
    test(`at a glance, 5 most recent by date, notes with authors, show all (${lang}, ${theme})`, async ({ page }) => {
      const log = collectConsole(page);
      await page.setViewportSize({ width: 550, height: 650 });
      await page.goto(demoUrl({ latency: 0, lang, theme }));
      await expect(page.getByTestId('demo-request-count')).toHaveText('1');
      const glance = page.getByTestId('last-contact');
      await glanceOnFirstScreen(glance);
      await expect(page.getByTestId('last-call-ago')).toHaveText(lang === 'en' ? /ago|yesterday/ : /назад|вчера/);
      await expect(page.getByTestId('last-call-by')).not.toHaveText('');
      await expect(page.getByTestId('last-contact-tasks')).toHaveText(lang === 'en' ? /open task|No open tasks/ : /открыт|Нет открытых/);

      // Five items, newest first by their date and time.
      await expect(items(page)).toHaveCount(5);
      const five = await times(page);
      expect(five).toEqual([...five].sort((a, b) => b - a));
      await expect(page.getByTestId('history-more')).toBeHidden();
      await shot(page, `glance-${lang}-${theme}-550`);

      // Show all: every loaded item, comments among them, still by date; one request so far.
      await page.getByTestId('history-all').click();
      await expect(page.getByTestId('history-all')).toHaveAttribute('aria-expanded', 'true');
      expect(await items(page).count()).toBeGreaterThan(50);
      const all = await times(page);
      expect(all.filter((t) => !Number.isNaN(t))).toEqual(all.filter((t) => !Number.isNaN(t)).sort((a, b) => b - a));
      const notes = page.locator('[data-testid=history-item][data-kind=comment]');
      expect(await notes.count()).toBeGreaterThanOrEqual(3);
      for (const n of await notes.all()) {
        await expect(n.getByTestId('history-subject')).not.toHaveText('');
        await expect(n.getByTestId('history-author')).not.toHaveText('');
      }
      await expect(page.getByTestId('demo-request-count')).toHaveText('1');
      // "show more" reads the next page once all loaded ones are shown.
      await expect(page.getByTestId('history-more')).toBeVisible();
      const before = await page.locator('[data-testid=history-item][data-kind=activity]').count();
      await page.getByTestId('history-more').click();
      await expect(page.getByTestId('demo-request-count')).toHaveText('2');
      await expect.poll(() => page.locator('[data-testid=history-item][data-kind=activity]').count()).toBeGreaterThan(before);
      // Keyboard: "Show fewer" is reachable and collapses back to five.
      await page.getByTestId('history-all').focus();
      await page.keyboard.press('Enter');
      await expect(items(page)).toHaveCount(5);
      noErrors(log);
    });
  }

  test('an unbound known number shows whose it is and opens it; one request', async ({ page }) => {
    const log = collectConsole(page);
    await page.setViewportSize({ width: 550, height: 650 });
    for (const [lang, theme, title] of [['en', 'light', 'this number belongs to'], ['ru', 'dark', 'этот номер есть в CRM']]) {
      await page.goto(demoUrl({ latency: 0, scenario: 'unbound', lang, theme }));
      await expect(page.getByTestId('demo-request-count')).toHaveText('1');
      await expect(page.getByTestId('client-type')).toHaveAttribute('data-type', 'NONE');
      const match = page.getByTestId('crm-match');
      await expect(match.first()).toBeVisible();
      await expect(page.getByTestId('crm-matches')).toContainText(title);
      await expect(match.first()).toHaveAttribute('data-entity', /^CONTACT:\d+$/);
      await expect(match.first()).toContainText(lang === 'en' ? 'Contact' : 'Контакт');
      await expect(page.getByTestId('last-contact')).toBeHidden();
      await shot(page, `crm-match-${lang}-${theme}-550`);
    }
    const entity = await page.getByTestId('crm-match').first().getAttribute('data-entity');
    await page.getByTestId('crm-match').first().focus();
    await page.keyboard.press('Enter');
    await expect.poll(() => log.some((l) => l.includes(`/crm/contact/details/${entity.split(':')[1]}/`))).toBe(true);
    await expect(page.getByTestId('demo-request-count')).toHaveText('1');
    noErrors(log);
  });
});

test.describe('inside Bitrix24 (fake portal)', () => {
  const iso = (daysAgo, hour) => {
    const d = new Date(Date.now() - daysAgo * 86400000);
    d.setUTCHours(hour, 0, 0, 0);
    return d.toISOString().replace(/\.\d+Z$/, '+00:00');
  };

  test('notes merge into the history by date with authors; 5 + show all; last-contact; one batch', async ({ page }) => {
    const log = collectConsole(page);
    await page.setViewportSize({ width: 550, height: 650 });
    const crm = fakeDefaults().crm;
    const act = (id, daysAgo, hour, extra = {}) => ({
      ID: String(id), OWNER_TYPE_ID: '3', OWNER_ID: '797', TYPE_ID: '2', PROVIDER_ID: 'VOXIMPLANT_CALL',
      DIRECTION: '1', START_TIME: iso(daysAgo, hour), SUBJECT: `Incoming call ${id}`, RESPONSIBLE_ID: '5', COMPLETED: 'Y', ...extra,
    });
    // Ids out of date order on purpose: the history follows the dates.
    crm.activities = [
      act(70, 1, 9), act(71, 9, 9), act(72, 3, 15, { DIRECTION: '2', RESPONSIBLE_ID: '1' }), act(73, 6, 8),
      act(74, 2, 10, { TYPE_ID: '6', PROVIDER_ID: 'CRM_TODO', COMPLETED: 'N', SUBJECT: 'Send the contract', DEADLINE: iso(-1, 8) }),
    ];
    const comments = [
      { ID: '901', ENTITY_ID: '797', ENTITY_TYPE: 'contact', CREATED: iso(0, 0), COMMENT: '[b]Agreed[/b] on the delivery date', AUTHOR_ID: '5', FILES: [] },
      { ID: '902', ENTITY_ID: '797', ENTITY_TYPE: 'contact', CREATED: iso(4, 12), COMMENT: 'Asked for a discount', AUTHOR_ID: '1', FILES: [] },
      { ID: '903', ENTITY_ID: '801', ENTITY_TYPE: 'contact', CREATED: iso(0, 1), COMMENT: 'someone else', AUTHOR_ID: '1', FILES: [] },
    ];
    const bed = await openPortal(page, { fake: { crm, comments } });
    const app = bed.app;
    await expect(app.getByTestId('client-name')).toHaveText('Klaus Weber');
    expect(bed.methods()).toEqual(['batch']);
    const cmds = (await bed.ctl('history')).map((h) => h.method);
    expect(cmds).toContain('crm.timeline.comment.list');
    expect(cmds).not.toContain('crm.duplicate.findbycomm');

    await glanceOnFirstScreen(app.getByTestId('last-contact'));
    await expect(app.getByTestId('last-call-by')).toHaveText('Maria Lopez');
    await expect(app.getByTestId('last-contact-tasks')).toHaveAttribute('data-open', '1');
    await expect(app.getByTestId('last-contact-tasks')).toContainText('1 open task · next');

    await expect(items(app)).toHaveCount(5);
    const order = await items(app).evaluateAll((els) => els.map((e) => `${e.dataset.kind[0]}${e.dataset.id}`));
    // The to-do's start is 2 days ago at 10:00; the comment 901 today 00:00; call 70 yesterday.
    expect(order).toEqual(['c901', 'a70', 'a74', 'a72', 'c902']);
    const note = app.locator('[data-testid=history-item][data-kind=comment]').first();
    await expect(note.getByTestId('history-subject')).toHaveText('Agreed on the delivery date');
    await expect(note.getByTestId('history-author')).toHaveText('Maria Lopez');
    await expect(app.getByTestId('history-all')).toContainText('(7)');
    await app.getByTestId('history-all').click();
    await expect(items(app)).toHaveCount(7);
    await expect(app.getByText('someone else')).toHaveCount(0);
    expect(bed.methods()).toEqual(['batch']);
    noErrors(log);
  });

  test('an unbound known number: crm-match in the same one batch, opens in the slider', async ({ page }) => {
    const log = collectConsole(page);
    await page.setViewportSize({ width: 550, height: 650 });
    const d = fakeDefaults();
    const strip = (o) => {
      const c = { ...o, PHONE_NUMBER: '+49 409 876 54' };
      delete c.CRM_ENTITY_TYPE; delete c.CRM_ENTITY_ID; delete c.CRM_BINDINGS;
      return c;
    };
    const bed = await openPortal(page, { fake: { status: strip(d.status), options: strip(d.options) }, placementOptions: strip(d.options) });
    const app = bed.app;
    const match = app.getByTestId('crm-match');
    await expect(match).toHaveCount(1);
    await expect(match).toHaveAttribute('data-entity', 'CONTACT:801');
    await expect(match).toContainText('Anna Schmidt');
    await expect(match).toContainText('Contact');
    expect(bed.methods()).toEqual(['batch']);
    const cmds = (await bed.ctl('history')).map((h) => h.method);
    expect(cmds.filter((m) => m === 'crm.duplicate.findbycomm')).toHaveLength(1);
    expect(cmds).toContain('crm.item.list');
    await match.click();
    expect(await bed.ctl('openedPaths')).toContainEqual('/crm/contact/details/801/');
    expect(bed.methods()).toEqual(['batch']);
    noErrors(log);
  });
});
