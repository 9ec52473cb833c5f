import { spawnSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "../../fixtures/test";

// The CLI from the checkout against the real Bailey and SSH host the global setup started.
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../cli/bin/bailey.mjs");
const config = mkdtempSync(path.join(tmpdir(), "bailey-cli-overview-"));

function bailey(args: string[]) {
  const token = process.env.BAILEY_E2E_API_TOKEN;
  const url = process.env.BAILEY_E2E_BASE_URL;
  if (!token || !url) throw new Error("BAILEY_E2E_API_TOKEN is unset: run through `npm test`.");
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", timeout: 120_000, env: { ...process.env, XDG_CONFIG_HOME: config, BAILEY_URL: url, BAILEY_TOKEN: token } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("bailey overview: --json is the REST overview; the text tables show this hour's runs and the host", async () => {
  const failed = bailey(["run", "--image", "bailey-test/busybox:latest", "--name", "cli-overview", "--follow", "--", "sh", "-c", "exit 4"]);
  expect(failed.code, failed.stderr).toBe(4);

  const json = bailey(["overview", "--json", "--hours", "6"]);
  expect(json.code, json.stderr).toBe(0);
  const data = JSON.parse(json.stdout) as { hours: number; totals: { runs: number; failed: number }; runsPerHour: { hour: string; total: number; failed: number }[]; hosts: { name: string }[] };
  expect(data.hours).toBe(6);
  expect(data.runsPerHour).toHaveLength(6);
  expect(data.totals.runs).toBeGreaterThanOrEqual(1);
  expect(data.totals.failed).toBeGreaterThanOrEqual(1);
  expect(data.runsPerHour.reduce((sum, hour) => sum + hour.total, 0)).toBe(data.totals.runs);
  expect(data.hosts.map((host) => host.name)).toContain("e2e-ssh-host");

  const text = bailey(["overview"]);
  expect(text.code, text.stderr).toBe(0);
  expect(text.stdout).toMatch(/^Last 24 h: \d+ runs, \d+ succeeded, \d+ failed; \d+ queued now\.$/m);
  expect(text.stdout).toMatch(/^Start latency: p50 \S+, p90 \S+ \(\d+ started\)\.$/m);
  expect(text.stdout).toMatch(/^HOUR \(UTC\)\s+RUNS\s+OK\s+FAILED/m);
  // The hour in progress has at least the failed run above.
  const thisHour = `${new Date().toISOString().slice(0, 13).replace("T", " ")}:00`;
  expect(text.stdout).toMatch(new RegExp(`^${thisHour}\\s+\\d+\\s+\\d+\\s+[1-9]`, "m"));
  expect(text.stdout).toMatch(/^e2e-ssh-host\s+\d+\s+[1-9]\d*\s+\d+\/4\s+\d+%$/m);
});
