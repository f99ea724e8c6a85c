// CRM text is text: names, titles, posts, users and activity subjects that carry HTML and
// `javascript:` payloads (demo `markup=1`) show as typed, and none of them runs.
import { test, expect } from '@playwright/test';
import { collectConsole, demoUrl } from './helpers.mjs';

/** Whether anything a payload would do has happened in the page. */
async function ran(page) {
  return page.evaluate(() => ({
    flag: window.__ccMarkupRan === undefined ? null : window.__ccMarkupRan,
    images: document.querySelectorAll('img[src="x"]').length,
    scripts: [...document.querySelectorAll('script')].filter((s) => s.textContent.includes('__ccMarkupRan')).length,
    links: document.querySelectorAll('a[href^="javascript:" i]').length,
  }));
}

const clean = { flag: null, images: 0, scripts: 0, links: 0 };

for (const lang of ['en', 'ru']) {
  test(`markup in CRM text shows as typed and never runs (${lang})`, async ({ page }) => {
    const log = collectConsole(page);
    await page.goto(demoUrl({ latency: 0, markup: 1, lang }));
    await expect(page.getByTestId('history-item').first()).toBeVisible();
    const name = await page.getByTestId('client-name').innerText();
    expect(name).toMatch(/<img src=x onerror="window\.__ccMarkupRan=1">|<script>window\.__ccMarkupRan=2<\/script>|javascript:window\.__ccMarkupRan=3|<a href="javascript:window\.__ccMarkupRan=4">open<\/a>/);
    const subjects = (await page.getByTestId('history-subject').allInnerTexts()).join('\n');
    expect(subjects).toContain('<script>window.__ccMarkupRan=2</script>');
    expect(subjects).toContain('<img src=x onerror="window.__ccMarkupRan=1">');
    const bindings = (await page.getByTestId('binding').allInnerTexts()).join('\n');
    expect(bindings).toMatch(/__ccMarkupRan/);
    const people = (await page.getByTestId('history-responsible').allInnerTexts()).join('\n');
    expect(people).toMatch(/__ccMarkupRan/);
    await page.waitForTimeout(300);
    expect(await ran(page)).toEqual(clean);

    // Through every client of the demo, and the next history page.
    for (let i = 0; i < 4; i++) {
      const before = await page.getByTestId('client-name').innerText();
      await page.getByTestId('demo-switch-client').click();
      await expect(page.getByTestId('client-name')).not.toHaveText(before);
    }
    await page.waitForTimeout(300);
    expect(await ran(page)).toEqual(clean);
    expect(log.filter((l) => l.startsWith('pageerror'))).toEqual([]);
  });
}
