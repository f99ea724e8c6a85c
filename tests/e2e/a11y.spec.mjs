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
import { ROOT, demoUrl } from './helpers.mjs';

const AXE_SOURCE = fs.readFileSync(path.join(ROOT, 'node_modules', 'axe-core', 'axe.min.js'), 'utf8');
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];
const SCENARIOS = ['incoming', 'outgoing', 'unknown', 'hidden', 'failed', 'campaign', 'unbound'];

/** Runs axe on the page; returns the violations, each as one readable line per node. */
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
  const check = async (label) => {
    const v = await axe(page);
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
  console.log('axe violations by rule (nodes):', JSON.stringify(counts));
  expect(failures, failures.join('\n')).toEqual([]);
});
