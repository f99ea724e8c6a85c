// Call-list edits lose nobody: the card writes a list only from a read it can prove whole, on the
// demo portal (release build). The demo panel's `demo-list-size` is each list's true size, hidden
// members included; `demo-request-count` counts REST requests (a batch is one).
import { test, expect } from '@playwright/test';
import { collectConsole, demoUrl } from './helpers.mjs';

const trueSize = async (page, id) =>
  Number(await page.locator(`[data-testid=demo-list-size][data-list="${id}"]`).getAttribute('data-size'));
const requests = async (page) => Number(await page.getByTestId('demo-request-count').innerText());
const row = (page, id) => page.locator(`[data-testid=campaign-list][data-list="${id}"]`);

/** Opens the demo, shows the lists, and waits for them (and the true sizes) to be there. */
async function openLists(page, params) {
  await page.goto(demoUrl({ latency: 0, ...params }));
  await expect(page.getByTestId('client')).toHaveAttribute('data-entity', /^CONTACT:/);
  await page.getByTestId('campaign-lists-load').click();
  await expect(page.getByTestId('campaign-list').first()).toBeVisible();
  await expect(page.getByTestId('demo-list-size').first()).toBeAttached();
  await expect(page.locator('[data-testid=campaign-list] [data-action]').first()).toBeEnabled();
}

test.describe('call-list edits lose nobody', () => {
  test('remove and re-add the client keeps every other member; three requests a write', async ({ page }) => {
    const log = collectConsole(page);
    await openLists(page, {});
    const list = row(page, 7);
    await expect(list).toHaveAttribute('data-has', 'true');
    const size = await trueSize(page, 7);
    expect(Number(await list.getAttribute('data-size'))).toBe(size);
    const r0 = await requests(page);
    await list.getByTestId('campaign-remove').click();
    await expect(list).toHaveAttribute('data-has', 'false');
    await expect(list).toHaveAttribute('data-size', String(size - 1));
    const r1 = await requests(page);
    expect(await trueSize(page, 7)).toBe(size - 1);
    await list.getByTestId('campaign-add').click();
    await expect(list).toHaveAttribute('data-has', 'true');
    await expect(list).toHaveAttribute('data-size', String(size));
    const r2 = await requests(page);
    expect(await trueSize(page, 7)).toBe(size);
    await expect(page.getByTestId('campaign-note')).toBeHidden();
    // A fresh read of the list, the update, and the lists read back.
    expect([r1 - r0, r2 - r1]).toEqual([3, 3]);
    test.info().annotations.push({ type: 'requests per remove/add', description: `${r1 - r0}/${r2 - r1}` });
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });

  test('with members hidden from the user the edit is refused, nothing is sent, nobody is lost', async ({ page }) => {
    await openLists(page, { calllist_hidden: 2 });
    const list = row(page, 7);
    await expect(list).toHaveAttribute('data-has', 'true');
    const before = await trueSize(page, 7);
    // The card sees two members fewer than the list holds.
    expect(Number(await list.getAttribute('data-size'))).toBe(before - 2);
    const r0 = await requests(page);
    await list.getByTestId('campaign-remove').click();
    const note = page.getByTestId('campaign-note');
    await expect(note).toBeVisible();
    await expect(note).toHaveAttribute('data-reason', /^(hidden|uncertain)$/);
    await expect(note).toContainText('Nothing was changed');
    expect(await requests(page)).toBe(r0);
    expect(await trueSize(page, 7)).toBe(before);
    await expect(list).toHaveAttribute('data-has', 'true');
    // Adding to a list without the client is refused the same way.
    const other = page.locator('[data-testid=campaign-list][data-has=false]:has([data-testid=campaign-add])').first();
    const otherId = await other.getAttribute('data-list');
    const otherSize = await trueSize(page, otherId);
    await other.getByTestId('campaign-add').click();
    await expect(note).toHaveAttribute('data-reason', /^(hidden|uncertain)$/);
    expect(await requests(page)).toBe(r0);
    expect(await trueSize(page, otherId)).toBe(otherSize);
    // In Russian too.
    await openLists(page, { calllist_hidden: 2, lang: 'ru' });
    await row(page, 7).getByTestId('campaign-remove').click();
    await expect(page.getByTestId('campaign-note')).toContainText('Ничего не изменено');
  });

  test('another change between the read and the write is reported, not overwritten', async ({ page }) => {
    await openLists(page, { calllist_concurrent: 1 });
    const list = row(page, 7);
    const size = await trueSize(page, 7);
    await list.getByTestId('campaign-remove').click();
    const note = page.getByTestId('campaign-note');
    await expect(note).toHaveAttribute('data-reason', 'concurrent');
    await expect(note).toContainText('Another change');
    // The other user's member is there, the client too: nothing was written by the card.
    expect(await trueSize(page, 7)).toBe(size + 1);
    await expect(list).toHaveAttribute('data-size', String(size + 1));
    await expect(list).toHaveAttribute('data-has', 'true');
    // Looked at again, the list can be changed; the other user's member stays.
    await list.getByTestId('campaign-remove').click();
    await expect(list).toHaveAttribute('data-has', 'false');
    await expect(list).toHaveAttribute('data-size', String(size));
    expect(await trueSize(page, 7)).toBe(size);
    await expect(note).toBeHidden();
  });

  test('a client of another kind than the list is refused before anything is sent', async ({ page }) => {
    await openLists(page, {});
    // List 3 holds companies; the client is a contact.
    const companies = row(page, 3);
    const size = await trueSize(page, 3);
    const r0 = await requests(page);
    await companies.getByTestId('campaign-add').click();
    const note = page.getByTestId('campaign-note');
    await expect(note).toHaveAttribute('data-reason', 'kind');
    await expect(note).toContainText('another type of client');
    expect(await requests(page)).toBe(r0);
    expect(await trueSize(page, 3)).toBe(size);
  });

  test('one write at a time: a second click while writing does nothing', async ({ page }) => {
    await openLists(page, { latency: 300 });
    const list = page.locator('[data-testid=campaign-list][data-has=false]:has([data-testid=campaign-add])').first();
    const id = await list.getAttribute('data-list');
    const size = await trueSize(page, id);
    const r0 = await requests(page);
    const add = list.getByTestId('campaign-add');
    await add.click();
    await add.dispatchEvent('click');
    await expect(row(page, id)).toHaveAttribute('data-has', 'true');
    expect(await requests(page)).toBe(r0 + 3);
    expect(await trueSize(page, id)).toBe(size + 1);
  });
});
