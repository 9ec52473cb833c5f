import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

// Debian's Chromium: Playwright's own browser download cannot reach its servers here.
const chromium = process.env.BAILEY_CHROMIUM ?? "/usr/bin/chromium";
if (!existsSync(chromium)) {
  throw new Error(`Chromium not found at ${chromium}. Install it with: apt-get install chromium (or set BAILEY_CHROMIUM to its path).`);
}

export default defineConfig({
  testDir: "specs",
  outputDir: "test-results",
  globalSetup: "./fixtures/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  use: {
    browserName: "chromium",
    screenshot: "on",
    trace: "retain-on-failure",
    launchOptions: {
      executablePath: chromium,
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-quic", "--no-first-run", "--disable-sync"],
    },
  },
});
