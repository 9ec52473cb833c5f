import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { expect, test } from "../../fixtures/test";

// The CLI as a user runs it from the checkout (bin/bailey.mjs → src through tsx), against the
// real Bailey and SSH host the global setup started.
const bin = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../cli/bin/bailey.mjs");
const config = mkdtempSync(path.join(tmpdir(), "bailey-cli-"));

function bailey(args: string[], env: Record<string, string> = {}, input?: string) {
  const token = process.env.BAILEY_E2E_API_TOKEN;
  const url = process.env.BAILEY_E2E_BASE_URL;
  if (!token || !url) throw new Error("BAILEY_E2E_API_TOKEN is unset: run through `npm test`.");
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    timeout: 120_000,
    env: { ...process.env, XDG_CONFIG_HOME: config, BAILEY_URL: url, BAILEY_TOKEN: token, ...env },
    ...(input === undefined ? {} : { input }),
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test("bailey run --follow prints the run's logs and exits with its exit code", async () => {
  const result = bailey(["run", "--image", "bailey-test/busybox:latest", "--name", "cli-exit-3", "--follow", "--", "sh", "-c", "echo from the cli; exit 3"]);
  expect(result.stdout, result.stderr).toContain("from the cli");
  expect(result.code, result.stderr).toBe(3);
});

test("bailey run -f moat.yaml runs it; --json output parses; ls and hosts list", async () => {
  const file = path.join(config, "moat.yaml");
  writeFileSync(file, ["agent: cli-agent", "image: bailey-test/busybox:latest", "env:", "  GREETING: 42", "command: echo greeting $GREETING", ""].join("\n"));
  const result = bailey(["run", "-f", file, "--follow", "--json"]);
  expect(result.code, result.stderr).toBe(0);
  const finished = JSON.parse(result.stdout) as { run: { id: string; state: string }; exitCode: number };
  expect(finished.run.state).toBe("succeeded");
  expect(result.stderr).toContain("greeting 42");
  const listed = JSON.parse(bailey(["ls", "--json", "--state", "succeeded"]).stdout) as { runs: { id: string }[] };
  expect(listed.runs.map((run) => run.id)).toContain(finished.run.id);
  const hosts = JSON.parse(bailey(["hosts", "--json"]).stdout) as { hosts: { name: string; status: string }[] };
  expect(hosts.hosts).toEqual(expect.arrayContaining([expect.objectContaining({ name: "e2e-ssh-host", status: "online" })]));
  const verify = bailey(["audit", "verify", "--json"]);
  expect(verify.code, verify.stderr).toBe(0);
  expect(JSON.parse(verify.stdout).valid).toBe(true);
});

test("bailey login stores the token 0600 in a 0700 directory; a bad token prints the API's message", async () => {
  const url = process.env.BAILEY_E2E_BASE_URL ?? "";
  const token = process.env.BAILEY_E2E_API_TOKEN ?? "";
  const home = mkdtempSync(path.join(tmpdir(), "bailey-login-"));
  const ok = bailey(["login", "--url", url, "--token", token], { XDG_CONFIG_HOME: home, BAILEY_URL: "", BAILEY_TOKEN: "" });
  expect(ok.code, ok.stderr).toBe(0);
  expect(statSync(path.join(home, "bailey/config.json")).mode & 0o777).toBe(0o600);
  expect(statSync(path.join(home, "bailey")).mode & 0o777).toBe(0o700);
  // The stored credentials are what a later command uses.
  const listed = bailey(["ls", "--json"], { XDG_CONFIG_HOME: home, BAILEY_URL: "", BAILEY_TOKEN: "" });
  expect(listed.code, listed.stderr).toBe(0);

  const bad = bailey(["login", "--url", url, "--token", "bly_not-a-real-token"], { XDG_CONFIG_HOME: mkdtempSync(path.join(tmpdir(), "bailey-login-")), BAILEY_URL: "", BAILEY_TOKEN: "" });
  expect(bad.code).not.toBe(0);
  expect(bad.stderr).toMatch(/UNAUTHORIZED, HTTP 401/);
});

test.describe("bailey exec", () => {
  // The main token lacks runs:exec on purpose; the seed's exec token has it.
  const execToken = () => process.env.BAILEY_E2E_EXEC_TOKEN ?? "";
  const asExec = () => ({ BAILEY_TOKEN: execToken() });
  // A tmux server of this test's own (its own socket and an empty config: no status line, so the pane is the window's size).
  const tmuxConf = path.join(config, "tmux.conf");
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", `bailey-cli-e2e-${process.pid}`, "-f", tmuxConf, ...args], { encoding: "utf8" });
  const screen = () => tmux("capture-pane", "-p", "-J", "-t", "exec");
  const type = (line: string) => {
    tmux("send-keys", "-t", "exec", "-l", line);
    tmux("send-keys", "-t", "exec", "Enter");
  };

  async function runningRun(name: string): Promise<{ id: string; containerId: string }> {
    const started = bailey(["run", "--json", "--image", "bailey-test/busybox:latest", "--name", name, "--", "sleep", "600"], asExec());
    expect(started.code, started.stderr).toBe(0);
    const id = (JSON.parse(started.stdout) as { run: { id: string } }).run.id;
    const get = async () => {
      const response = await fetch(`${process.env.BAILEY_E2E_BASE_URL}/api/v1/runs/${id}`, { headers: { authorization: `Bearer ${execToken()}` } });
      return ((await response.json()) as { run: { id: string; state: string; containerId: string | null } }).run;
    };
    await expect.poll(async () => (await get()).state, { timeout: 60_000 }).toBe("running");
    const run = await get();
    return { id: run.id, containerId: run.containerId ?? "" };
  }

  test("bailey exec -it in a real terminal: the container's shell, its size follows the terminal, its exit code comes back", async () => {
    test.setTimeout(180_000);
    const run = await runningRun("cli-exec-tty");
    const hostname = execFileSync("docker", ["inspect", "-f", "{{.Config.Hostname}}", run.containerId], { encoding: "utf8" }).trim();
    expect(hostname).not.toBe("");
    // remain-on-exit: the pane (and what bailey printed last) stays readable after it ends.
    writeFileSync(tmuxConf, "set -g status off\nset -g remain-on-exit on\n");
    const codeFile = path.join(config, "exec-tty.code");
    const script = path.join(config, "exec-tty.sh");
    const quote = (value: string) => `'${value.replaceAll("'", "'\\''")}'`;
    writeFileSync(
      script,
      [
        `export XDG_CONFIG_HOME=${quote(config)} BAILEY_URL=${quote(process.env.BAILEY_E2E_BASE_URL ?? "")} BAILEY_TOKEN=${quote(execToken())}`,
        `${quote(process.execPath)} ${quote(bin)} exec -it ${quote(run.id)} -- sh`,
        `echo $? > ${quote(codeFile)}`,
        "",
      ].join("\n"),
    );
    try {
      tmux("new-session", "-d", "-s", "exec", "-x", "120", "-y", "40", `sh ${quote(script)}`);
      // busybox sh's prompt: the session is open and the terminal raw.
      await expect.poll(screen, { timeout: 30_000 }).toMatch(/# $/m);
      type("echo host=$HOSTNAME");
      await expect.poll(screen).toContain(`host=${hostname}`);
      type("stty size");
      await expect.poll(screen).toMatch(/^40 120$/m);
      // The terminal shrinks: SIGWINCH → resize → the remote TTY's size.
      tmux("resize-window", "-t", "exec", "-x", "100", "-y", "30");
      type("clear; stty size");
      await expect.poll(screen).toMatch(/^30 100$/m);
      type("exit 7");
      await expect.poll(() => (existsSync(codeFile) ? readFileSync(codeFile, "utf8").trim() : ""), { timeout: 20_000 }).toBe("7");
    } finally {
      spawnSync("tmux", ["-L", `bailey-cli-e2e-${process.pid}`, "kill-server"]);
      bailey(["stop", "--grace", "0", run.id], asExec());
    }
  });

  test("bailey exec without a terminal: stdout and stderr apart, piped stdin, the exit code; a token without runs:exec is refused", async () => {
    test.setTimeout(120_000);
    const run = await runningRun("cli-exec-plain");
    try {
      const split = bailey(["exec", run.id, "--", "sh", "-c", "echo out; echo err >&2; exit 5"], asExec());
      expect(split.code, split.stderr).toBe(5);
      expect(split.stdout).toBe("out\n");
      expect(split.stderr).toBe("err\n");

      // -i: the piped bytes reach the process, and their end closes its stdin (cat exits 0).
      const piped = bailey(["exec", "-i", run.id, "--", "cat"], asExec(), "piped through\n");
      expect(piped.code, piped.stderr).toBe(0);
      expect(piped.stdout).toBe("piped through\n");

      // Refused before any socket: the API's own message and status.
      const refused = bailey(["exec", run.id, "--", "true"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/runs:exec.*\(FORBIDDEN, HTTP 403\)/);
    } finally {
      bailey(["stop", "--grace", "0", run.id], asExec());
    }
  });
});
