// Playwright e2e tests of the release build (dist/), served like Bitrix24 opens it (GET and form POST).
// Uses the system Chromium; never downloads a browser (install with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
import { defineConfig } from '@playwright/test';

// CALLCARD_E2E_PORT: another port for dist/ when 8001 is taken (several checkouts on one machine).
const PORT = Number(process.env.CALLCARD_E2E_PORT || 8001);
const ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export default defineConfig({
  testDir: 'tests/e2e',
  outputDir: 'target/playwright-results',
  workers: 1, // 2-core machine
  fullyParallel: false,
  retries: 0,
  timeout: 30000,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['./tests/e2e/summary-reporter.mjs']],
  webServer: {
    command: `python3 scripts/serve_dist.py ${PORT} dist`,
    url: `http://127.0.0.1:${PORT}/`,
    reuseExistingServer: false,
    timeout: 20000,
  },
  use: {
    baseURL: `http://127.0.0.1:${PORT}/`,
    screenshot: 'off',
    trace: 'off',
    video: 'off',
  },
  // The fake portal (tests/e2e/portal.mjs) puts the card in a cross-site frame. This Chromium refuses
  // third-party storage there by default; most browsers give such a frame partitioned storage, which
  // the main project allows. Tests tagged @storage-refused run in a browser with the default, where
  // localStorage/sessionStorage throw SecurityError.
  projects: [
    {
      name: 'chromium',
      grepInvert: /@storage-refused/,
      use: { launchOptions: { executablePath: '/usr/bin/chromium', args: [...ARGS, '--disable-features=TrackingProtection3pcd'] } },
    },
    {
      name: 'storage-refused',
      grep: /@storage-refused/,
      use: { launchOptions: { executablePath: '/usr/bin/chromium', args: ARGS } },
    },
  ],
});
