// Shared by the figure scripts (measure, bench_rest, bench_campaign): serve dist/ on `port` with
// scripts/serve_dist.py (it answers POST like a Bitrix24 handler) and start Debian's Chromium.
import { spawn } from 'node:child_process';
import { chromium } from '@playwright/test';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Starts the server and the browser; returns `{ BASE, browser, close }`. `extraArgs` go to Chromium
 *  (e.g. portal.mjs's ALLOW_PARTITIONED_STORAGE for the fake portal's cross-site frame). */
export async function start(port, extraArgs = []) {
  // CALLCARD_BENCH_PORT: another port when the script's own is taken (several checkouts on one machine).
  if (process.env.CALLCARD_BENCH_PORT) port = Number(process.env.CALLCARD_BENCH_PORT);
  const BASE = `http://127.0.0.1:${port}/`;
  const server = spawn('python3', ['scripts/serve_dist.py', String(port), 'dist'], { stdio: 'ignore' });
  for (let i = 0; i < 50; i++) {
    try { if ((await fetch(BASE)).ok) break; } catch { /* not up yet */ }
    await sleep(100);
  }
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', ...extraArgs],
  });
  return { BASE, browser, close: async () => { await browser.close(); server.kill(); } };
}
