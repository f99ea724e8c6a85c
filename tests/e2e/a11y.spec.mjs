// Accessibility of the release build (issue 12, "usable by everyone"): axe-core on every demo
// scenario, both themes and languages, the install page, the demo panel and the wrap-up panel.
//
// axe runs inside the page under the card's real Content-Security-Policy (scripts/csp.py): an inline
// <script> (page.addScriptTag with content) would be refused by it, so the library's source is
// evaluated through the DevTools protocol (page.evaluate), which the page's CSP does not govern.
// No bypassCSP: what is checked is the page as Bitrix24 users get it.
import { test, expect } from '@playwright/test';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, SCREENSHOT_DIR, demoUrl, shot } from './helpers.mjs';
import { openPortal } from './portal.mjs';

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SCENARIOS = ['incoming', 'outgoing', 'unknown', 'hidden', 'failed', 'campaign', 'unbound'];

/** Runs axe on a page or frame; returns the violations, each with one readable line per node. */
async function axe(page) {
  const has = await page.evaluate(() => typeof window.axe === 'object');
  if (!has) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async (tags) => {
    const r = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(' ')} — ${n.failureSummary.replace(/\s+/g, ' ').slice(0, 300)}`),
    }));
  }, TAGS);
}

function report(label, violations) {
  return violations
    .map((v) => `[${label}] ${v.id} (${v.impact}): ${v.help}\n${v.nodes.map((n) => `    ${n}`).join('\n')}`)
    .join('\n');
}

/** The card has settled: the state badge is there and nothing is still a skeleton. */
async function settled(page) {
  await page.waitForFunction(() => {
    const root = document.querySelector('[data-testid=card], [data-testid=settings]');
    return root && !document.querySelector('.cc-skeleton') && !document.querySelector('#cc-boot');
  });
  // The REST line fades in after a CSS delay; let a last refresh land.
  await page.waitForTimeout(150);
}

test('axe: every scenario, light and dark, ru and en, the install page, the wrap-up panel', async ({ page }) => {
  test.setTimeout(120000);
  await page.setViewportSize({ width: 550, height: 650 });
  const failures = [];
  const counts = {};
  const check = async (label, where = page) => {
    const v = await axe(where);
    // Exactly one h1 (axe only asks for at least one).
    const h1 = await where.evaluate(() => document.querySelectorAll('h1').length);
    if (h1 !== 1) v.push({ id: 'one-h1', impact: 'moderate', help: `${h1} h1 elements`, nodes: [] });
    for (const x of v) counts[`${x.id}`] = (counts[x.id] || 0) + x.nodes.length;
    if (v.length) failures.push(report(label, v));
  };
  for (const theme of ['light', 'dark']) {
    for (const lang of ['en', 'ru']) {
      for (const scenario of SCENARIOS) {
        await page.goto(demoUrl({ scenario, lang, theme, latency: 0 }));
        await settled(page);
        await check(`${scenario} ${lang} ${theme}`);
      }
      await page.goto(demoUrl({ placement: 'DEFAULT', lang, theme, latency: 0 }));
      await expect(page.getByTestId('install-status')).not.toHaveAttribute('data-registered', 'unknown');
      await settled(page);
      await check(`install ${lang} ${theme}`);
      // The wrap-up panel after a call ends (connected → idle), with a result chosen and a status.
      await page.goto(demoUrl({ scenario: 'incoming', lang, theme, latency: 0 }));
      await settled(page);
      await page.getByTestId('demo-answer').click();
      await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
      await check(`connected ${lang} ${theme}`);
      await page.getByTestId('demo-hangup').click();
      await expect(page.getByTestId('wrapup')).toBeVisible();
      await page.locator('[data-testid=wrapup-callback] [data-callback=at]').click();
      await page.locator('[data-testid=wrapup-result]').first().click();
      await settled(page);
      await check(`wrap-up ${lang} ${theme}`);
    }
  }
  // The history expanded, and the call lists outside campaign mode (read-only here).
  await page.goto(demoUrl({ latency: 0 }));
  await settled(page);
  await page.getByTestId('history-all').click();
  await page.getByTestId('campaign-lists-load').click();
  await expect(page.getByTestId('campaign-list').first()).toBeVisible();
  await check('history all + call lists en light');
  // The card as Bitrix24 shows it (no demo panel), with the error banner, in the fake portal.
  const bed = await openPortal(page, { setup: (ctl) => ctl.failNext('batch', { status: 403, error: 'ACCESS_DENIED' }) });
  await expect(bed.app.getByTestId('error-banner')).toBeVisible();
  await check('portal + error banner', bed.frame());
  console.log('axe violations by rule (nodes):', JSON.stringify(counts));
  expect(failures, failures.join('\n')).toEqual([]);
});

/** What has the focus: its hook, whether it matches `sel`, its focus ring, its place. */
function focused(page, sel = null) {
  return page.evaluate((sel) => {
    const a = document.activeElement;
    if (!a || a === document.body || a === document.documentElement) return null;
    const cs = getComputedStyle(a);
    const r = a.getBoundingClientRect();
    return {
      id: a.getAttribute('data-testid'),
      tag: a.tagName.toLowerCase(),
      cls: a.className || '',
      text: (a.textContent || '').trim().slice(0, 40),
      matches: sel ? a.matches(sel) : false,
      ring: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) >= 2,
      top: Math.round(r.top + window.scrollY),
      order: [...document.querySelectorAll('*')].indexOf(a),
    };
  }, sel);
}

/** Presses Tab (or Shift+Tab) until the focus is on an element matching `sel`. */
async function tabTo(page, sel, { back = false, max = 150 } = {}) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    const f = await focused(page, sel);
    if (f && f.matches) {
      expect(f.ring, `focus ring on ${sel}`).toBe(true);
      return f;
    }
  }
  throw new Error(`Tab never reached ${sel}`);
}

const isFocused = (page, sel) => page.evaluate((sel) => !!document.activeElement && document.activeElement.matches(sel), sel);

test.describe('keyboard', () => {
  test('Tab walks the card in reading order with a visible ring; Shift+Tab walks back; no trap', async ({ page }) => {
    await page.setViewportSize({ width: 550, height: 650 });
    await page.goto(demoUrl({ latency: 0 }));
    await settled(page);
    expect(await page.locator('[tabindex]:not([tabindex="-1"]):not([tabindex="0"])').count(), 'no positive tabindex').toBe(0);
    const walk = [];
    let blanks = 0;
    for (let i = 0; i < 150; i++) {
      await page.keyboard.press('Tab');
      const f = await focused(page);
      if (!f) {
        blanks++;
        if (walk.length) break; // past the last control: the focus leaves the page
        continue;
      }
      if (walk.length && f.order === walk[0].order) break;
      walk.push(f);
    }
    expect(blanks, 'the focus leaves the page after the last control (no trap)').toBeLessThanOrEqual(2);
    const names = walk.map((f) => f.id || `${f.tag}.${f.cls.split(' ')[0]}`);
    for (const id of ['wrapup-open', 'keep-open', 'client-name', 'history-all', 'demo-answer', 'demo-hangup', 'demo-redial', 'demo-switch-client', 'demo-fault-none']) {
      expect(names, `Tab reaches ${id}`).toContain(id);
    }
    expect(walk.filter((f) => f.cls.includes('cc-binding__title')).length, 'every binding').toBeGreaterThanOrEqual(3);
    const noRing = walk.filter((f) => !f.ring).map((f) => f.id || f.text);
    expect(noRing, 'a visible focus ring on every stop').toEqual([]);
    // Reading order: document order, and down the page (one column at 550 px).
    for (let i = 1; i < walk.length; i++) {
      expect(walk[i].order, `${names[i]} after ${names[i - 1]} in the document`).toBeGreaterThan(walk[i - 1].order);
      expect(walk[i].top, `${names[i]} not above ${names[i - 1]}`).toBeGreaterThanOrEqual(walk[i - 1].top - 8);
    }
    // Shift+Tab from the first control leaves the page, then walks back from the last one.
    await page.locator('[data-testid=wrapup-open]').focus();
    const back = [];
    for (let i = 0; i < 10 && back.length < 6; i++) {
      await page.keyboard.press('Shift+Tab');
      const f = await focused(page);
      if (f) back.push(f.order);
    }
    expect(back).toEqual(walk.slice(-6).map((f) => f.order).reverse());
  });

  test('every action keeps the focus on its control or moves it to its result', async ({ page }) => {
    test.setTimeout(60000);
    await page.setViewportSize({ width: 550, height: 650 });
    await page.goto(demoUrl({ latency: 100 }));
    await settled(page);

    // Keep open: Space toggles it, the focus stays. Left on: a card released after its call
    // ends is closed by the portal at once (the demo does as Bitrix24), so Save below could not
    // be looked at.
    await tabTo(page, '[data-testid=keep-open]');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('keep-open')).toHaveAttribute('aria-pressed', 'true');
    expect(await isFocused(page, '[data-testid=keep-open]')).toBe(true);
    await page.keyboard.press('Space');
    await expect(page.getByTestId('keep-open')).toHaveAttribute('aria-pressed', 'false');
    await page.keyboard.press('Space');
    await expect(page.getByTestId('keep-open')).toHaveAttribute('aria-pressed', 'true');

    // A binding opens in the portal's slider; the focus stays on it.
    await tabTo(page, '.cc-binding__title');
    await page.keyboard.press('Enter');
    expect(await isFocused(page, '.cc-binding__title')).toBe(true);

    // History: show all / fewer with Enter and Space, then "show more" to the last page.
    await tabTo(page, '[data-testid=history-all]');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('history-all')).toHaveAttribute('aria-expanded', 'true');
    expect(await isFocused(page, '[data-testid=history-all]')).toBe(true);
    await page.keyboard.press('Space');
    await expect(page.getByTestId('history-all')).toHaveAttribute('aria-expanded', 'false');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('history-all')).toHaveAttribute('aria-expanded', 'true');
    const before = await page.getByTestId('history-item').count();
    await tabTo(page, '[data-testid=history-more]');
    await page.keyboard.press('Enter');
    // While it loads it keeps the focus (aria-disabled), then the last page hands it to the first new entry.
    await expect(page.getByTestId('history-more')).toBeHidden();
    expect(await page.getByTestId('history-item').count()).toBeGreaterThan(before);
    const f = await focused(page, '[data-testid=history-item]');
    expect(f && f.matches, 'focus on a new history entry').toBe(true);
    expect(f.ring).toBe(true);
    expect(await page.evaluate((n) => [...document.querySelectorAll('[data-testid=history-item]')].indexOf(document.activeElement) === n, before)).toBe(true);

    // The demo panel: Answer, then Hang up; each keeps the focus when it no longer applies.
    await tabTo(page, '[data-testid=demo-answer]');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('call-state')).toHaveAttribute('data-state', 'connected');
    await expect(page.getByTestId('demo-answer')).toBeDisabled();
    expect(await isFocused(page, '[data-testid=demo-answer]')).toBe(true);
    await page.keyboard.press('Tab');
    expect(await isFocused(page, '[data-testid=demo-hangup]')).toBe(true);
    await page.keyboard.press('Space');
    await expect(page.getByTestId('wrapup')).toBeVisible();
    expect(await isFocused(page, '[data-testid=demo-hangup]')).toBe(true);

    // The wrap-up panel, walked back to from the demo panel.
    await tabTo(page, '[data-testid=wrapup-note]', { back: true });
    await page.keyboard.type('Wants the price list.');
    await page.keyboard.press('Shift+Tab');
    expect(await isFocused(page, '[data-testid=wrapup-result]')).toBe(true);
    await page.keyboard.press('Space');
    await expect(page.locator('[data-testid=wrapup-result][aria-pressed=true]')).toHaveCount(1);
    expect(await isFocused(page, '[data-testid=wrapup-result]')).toBe(true);
    await tabTo(page, 'button[data-callback=tomorrow]');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('wrapup-callback')).toHaveAttribute('data-callback', 'tomorrow');
    expect(await isFocused(page, 'button[data-callback=tomorrow]')).toBe(true);
    await tabTo(page, '[data-testid=wrapup-save]');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('wrapup-status')).toHaveAttribute('data-state', 'saved', { timeout: 10000 });
    expect(await isFocused(page, '[data-testid=wrapup-save]')).toBe(true);
    // Esc closes the panel and gives the focus to its opener; Enter opens it into the note.
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('wrapup')).toBeHidden();
    expect(await isFocused(page, '[data-testid=wrapup-open]')).toBe(true);
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('wrapup')).toBeVisible();
    await expect.poll(() => isFocused(page, '[data-testid=wrapup-note]')).toBe(true);
    await tabTo(page, '[data-testid=wrapup-close]');
    await page.keyboard.press('Enter');
    await expect(page.getByTestId('wrapup')).toBeHidden();
    expect(await isFocused(page, '[data-testid=wrapup-open]')).toBe(true);
  });

  test('Retry on the error banner: by keyboard; the focus goes to the call when it recovers', async ({ page }) => {
    const bed = await openPortal(page, { setup: (ctl) => ctl.failNext('batch', { status: 403, error: 'ACCESS_DENIED' }) });
    const banner = bed.app.getByTestId('error-banner');
    await expect(banner).toBeVisible();
    await expect(banner).toHaveAttribute('role', 'alert');
    // The banner's Retry is the first stop in the card.
    const frame = bed.frame();
    let f = null;
    for (let i = 0; i < 5 && !(f && f.matches); i++) {
      await page.keyboard.press('Tab');
      f = await focused(frame, '[data-testid=error-banner] button');
    }
    expect(f && f.matches, 'Tab reaches Retry').toBe(true);
    expect(f.ring).toBe(true);
    await page.keyboard.press('Enter');
    await expect(bed.app.getByTestId('client-name')).toHaveText('Klaus Weber');
    await expect(banner).toHaveCount(0);
    await expect.poll(() => isFocused(frame, 'section.cc-call')).toBe(true);
  });
});

test.describe('screen readers', () => {
  for (const lang of ['en', 'ru']) {
    test(`one polite live region says each call state once, never the timer (${lang})`, async ({ page }) => {
      // Records every text the live region takes, from the first one on (CDP scripts are not under the CSP).
      await page.addInitScript(() => {
        window.__said = [];
        let last = '';
        new MutationObserver(() => {
          const el = document.getElementById('cc-live');
          const t = el ? el.textContent : '';
          if (t !== last) {
            last = t;
            if (t) window.__said.push(t);
          }
        }).observe(document, { subtree: true, childList: true, characterData: true });
      });
      await page.goto(demoUrl({ latency: 0, lang }));
      await settled(page);
      const regions = await page.evaluate(() =>
        [...document.querySelectorAll('[aria-live], [role=status], [role=log], [role=alert], [role=timer], [role=marquee], output')].map((e) => `${e.getAttribute('data-testid')}:${e.getAttribute('aria-live')}`));
      expect(regions).toEqual(['live:polite']);
      // The state the card opens in is on screen, not announced (a region filled as it appears is
      // not read reliably); every change after it is.
      const state = page.getByTestId('call-state');
      await page.getByTestId('demo-answer').click();
      await expect(page.getByTestId('call-timer')).toHaveText(/00:0[2-9]/, { timeout: 5000 });
      await page.getByTestId('demo-hangup').click();
      await expect(state).toHaveAttribute('data-state', 'ended');
      await page.getByTestId('demo-redial').click();
      await expect(state).toHaveAttribute('data-state', /ringing|dialling/);
      const again = await state.innerText();
      await page.getByTestId('demo-answer').click();
      await expect(page.getByTestId('call-timer')).toHaveText(/00:0[1-9]/, { timeout: 5000 });
      await page.getByTestId('demo-hangup').click();
      await expect(state).toHaveAttribute('data-state', 'ended');
      await page.waitForTimeout(1200);
      const said = await page.evaluate(() => window.__said);
      const [connected, ended] = lang === 'en' ? ['Connected', 'Call ended'] : ['Разговор', 'Звонок завершён'];
      expect(said).toEqual([connected, ended, again, connected, ended]);
      expect(said.some((t) => /\d:\d\d/.test(t)), 'never the timer').toBe(false);
    });
  }
});

test.describe('layout', () => {
  for (const lang of ['en', 'ru']) {
    test(`550×650: the call, the glance, the client and the bindings on the first screen (${lang})`, async ({ page }) => {
      await page.setViewportSize({ width: 550, height: 650 });
      await page.goto(demoUrl({ latency: 0, lang }));
      await settled(page);
      const bottoms = await page.evaluate(() => Object.fromEntries(
        [['call', '.cc-call'], ['last-contact', '[data-testid=last-contact]'], ['client', '[data-testid=client]'], ['bindings', '.cc-bindings']]
          .map(([k, sel]) => { const e = document.querySelector(sel); return [k, e ? Math.ceil(e.getBoundingClientRect().bottom) : null]; })));
      for (const [k, v] of Object.entries(bottoms)) {
        expect(v, `${k} is shown`).not.toBeNull();
        expect(v, `${k} ends within the first screen (${JSON.stringify(bottoms)})`).toBeLessThanOrEqual(650);
      }
      expect(await page.evaluate(() => window.scrollY)).toBe(0);
    });
  }

  test('320 to 1200 px wide: no horizontal scroll on any scenario; screenshots', async ({ page }) => {
    test.setTimeout(120000);
    const wide = [];
    for (const width of [320, 400, 550, 719, 720, 1200]) {
      await page.setViewportSize({ width, height: 700 });
      for (const q of [...SCENARIOS.map((scenario) => ({ scenario })), { placement: 'DEFAULT' }, { markup: 1 }]) {
        await page.goto(demoUrl({ ...q, latency: 0, lang: width === 320 ? 'ru' : 'en' }));
        await settled(page);
        const [sw, cw] = await page.evaluate(() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]);
        if (sw > cw) wide.push(`${JSON.stringify(q)} at ${width}: ${sw} > ${cw}`);
      }
      // The wrap-up panel open after a call.
      await page.goto(demoUrl({ latency: 0, lang: 'ru' }));
      await settled(page);
      await page.getByTestId('demo-answer').click();
      await page.getByTestId('demo-hangup').click();
      await expect(page.getByTestId('wrapup')).toBeVisible();
      await page.locator('[data-testid=wrapup-callback] [data-callback=at]').click();
      const [sw, cw] = await page.evaluate(() => [document.scrollingElement.scrollWidth, document.scrollingElement.clientWidth]);
      if (sw > cw) wide.push(`wrap-up at ${width}: ${sw} > ${cw}`);
    }
    expect(wide, wide.join('\n')).toEqual([]);
    // The wrap-up panel at the narrowest, with the keyboard's focus ring on a chip.
    await page.setViewportSize({ width: 320, height: 650 });
    await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
    await page.goto(demoUrl({ latency: 0, lang: 'ru' }));
    await settled(page);
    await page.getByTestId('demo-answer').click();
    await page.getByTestId('demo-hangup').click();
    await expect(page.getByTestId('wrapup')).toBeVisible();
    await tabTo(page, '[data-testid=wrapup-result]');
    await page.keyboard.press('Space');
    await page.getByTestId('wrapup').screenshot({ path: `${SCREENSHOT_DIR}/layout-wrapup-ru-light-320.png` });
    for (const theme of ['light', 'dark']) {
      for (const width of [320, 550, 1200]) {
        await page.setViewportSize({ width, height: 650 });
        // Names and stages are cached across loads in the page's storage: start clean, one language.
        await page.evaluate(() => { localStorage.clear(); sessionStorage.clear(); });
        await page.goto(demoUrl({ latency: 0, theme, lang: width === 550 ? 'ru' : 'en' }));
        await settled(page);
        await shot(page, `layout-${width === 550 ? 'ru' : 'en'}-${theme}-${width}`);
      }
    }
  });
});
