// Browser end-to-end tests, run by `cargo xtask test` against the workerd it starts (BASE_URL).
// Debian's Chromium, never a downloaded browser; a phone-sized viewport, since residents use phones.
import { defineConfig } from '@playwright/test';

export default defineConfig({
  testDir: '.',
  testMatch: /.*\.spec\.mjs/,
  timeout: 45_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1, // two cores, and workerd needs one
  retries: 0,
  reporter: [['list'], ['json']],
  outputDir: '../../target/playwright-output',
  use: {
    baseURL: process.env.BASE_URL,
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 1,
    isMobile: true,
    hasTouch: true,
    locale: 'zh-CN',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
             '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    },
    trace: 'off',
    screenshot: 'only-on-failure',
  },
});
