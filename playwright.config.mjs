// Playwright e2e tests of the release build (dist/), served like Bitrix24 opens it (GET and form POST).
// Uses the system Chromium; never downloads a browser (install with PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1).
import { defineConfig } from '@playwright/test';

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
    command: 'python3 scripts/serve_dist.py 8001 dist',
    url: 'http://127.0.0.1:8001/',
    reuseExistingServer: false,
    timeout: 20000,
  },
  use: {
    baseURL: 'http://127.0.0.1:8001/',
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
