// Runs with grants and a strict egress policy on real engines (Docker under runc and runsc, and
// Podman): the run's proxy sidecar injects a grant's credential into a request to a TLS upstream
// in a container (`api.upstream.test`, on a network the test makes and hands the agent as
// BAILEY_EGRESS_NETWORK), and nothing else gets out. The run's own container is the proxy image
// (it has node), and its client script prints what it saw as JSON lines.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { networkInterfaces, tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { RpcError, rpcErrorCodes, runSpec } from "@bailey/protocol";
import { createPodmanRuntime, type DockerRuntime } from "@bailey/runtime";
import { MockRuntime, type PodmanService, requireDocker, requireRunsc, startPodmanService } from "@bailey/runtime/testing";
import { parseEgressEventLine } from "../src/egress/event-follower";
import { readContainerFile } from "../src/runs/container-file";
import { ensureEgressProxyImage } from "../src/egress/proxy-image";
import { Journal } from "../src/journal/journal";
import { labelKeys } from "../src/runs/run-record";
import { RunManager, type RunManagerOptions } from "../src/runs/run-manager";
import { RunStore } from "../src/runs/run-store";
import { type ContainerTlsUpstream, ensureStandinImage, standinImage, startTlsUpstream, startTlsUpstreamContainer, type TlsUpstream } from "../src/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
const upstreamName = "api.upstream.test";

// The run's client: Node 20 does not honour HTTPS_PROXY by itself, so it speaks CONNECT, then TLS
// trusting NODE_EXTRA_CA_CERTS (the run's CA, which node loads at start). Then the ways around the
// proxy, each expected to fail, and a dump of its environment and /run for the leak check.
const clientScript = String.raw`
const net = require("node:net"), tls = require("node:tls"), dns = require("node:dns"), fs = require("node:fs"), os = require("node:os"), path = require("node:path");
const out = (probe, value) => process.stdout.write(JSON.stringify({ probe, ...value }) + "\n");
const proxy = new URL(process.env.HTTPS_PROXY);
const auth = decodeURIComponent(proxy.username) + ":" + decodeURIComponent(proxy.password);
function connectVia(target, credentials) {
  return new Promise((resolve) => {
    const socket = net.connect(Number(proxy.port), proxy.hostname);
    socket.setTimeout(10000, () => { socket.destroy(); resolve({ error: "timeout" }); });
    socket.once("error", (error) => resolve({ error: error.code || error.message }));
    socket.once("connect", () => socket.write("CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\nProxy-Authorization: Basic " + Buffer.from(credentials).toString("base64") + "\r\n\r\n"));
    let buffer = Buffer.alloc(0);
    const onData = (data) => {
      buffer = Buffer.concat([buffer, data]);
      const end = buffer.indexOf("\r\n\r\n");
      if (end === -1) return;
      socket.removeListener("data", onData);
      socket.setTimeout(0);
      resolve({ status: Number(buffer.subarray(0, end).toString().split(" ")[1]), socket, rest: buffer.subarray(end + 4) });
    };
    socket.on("data", onData);
  });
}
const readRest = (socket, rest) => new Promise((resolve) => { let body = rest.toString(); socket.on("data", (data) => (body += data)); socket.once("close", () => resolve(body)); socket.once("error", () => resolve(body)); });
function tryConnect(host, port) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port, timeout: 3000 });
    socket.once("connect", () => { socket.destroy(); resolve("connected"); });
    socket.once("timeout", () => { socket.destroy(); resolve("timeout"); });
    socket.once("error", (error) => resolve(error.code || error.message));
  });
}
const targetHost = process.env.TARGET_HOST || "${upstreamName}";
const target = targetHost + ":" + (process.env.TARGET_PORT || "443");
async function grantedRequest() {
  const granted = await connectVia(target, auth);
  if (!granted.socket) return out("granted", granted);
  const secure = tls.connect({ socket: granted.socket, host: targetHost, ...(net.isIP(targetHost) ? {} : { servername: targetHost }) });
  const answer = await new Promise((resolve) => {
    let text = "";
    secure.once("secureConnect", () => secure.write("GET / HTTP/1.1\r\nHost: " + targetHost + "\r\nConnection: close\r\n\r\n"));
    secure.on("data", (data) => (text += data));
    secure.once("end", () => resolve({ response: text.split("\r\n")[0] }));
    secure.once("error", (error) => resolve({ error: error.code || error.message }));
  });
  out("granted", { connect: granted.status, ...answer });
}
(async () => {
  for (let round = 0; round < Number(process.env.ROUNDS || 1); round++) {
    if (round) await new Promise((resolve) => setTimeout(resolve, Number(process.env.ROUND_DELAY_MS)));
    await grantedRequest();
  }
  if (process.env.OTHER_TARGET) {
    const other = await connectVia(process.env.OTHER_TARGET, auth);
    other.socket?.destroy();
    out("other", { status: other.status, error: other.error });
  }
  if (process.env.ONLY_GRANTED) return;
  const denied = await connectVia("denied.example.test:443", auth);
  out("denied", { status: denied.status, body: denied.socket ? await readRest(denied.socket, denied.rest) : denied.error });
  const wrong = await connectVia("${upstreamName}:443", "bailey:not-the-token");
  wrong.socket?.destroy();
  out("wrongToken", { status: wrong.status, error: wrong.error });
  if (process.env.UPSTREAM_IP) out("direct", { result: await tryConnect(process.env.UPSTREAM_IP, 443) });
  const own = Object.values(os.networkInterfaces()).flat().find((item) => item && item.family === "IPv4" && !item.internal);
  const gateway = own ? own.address.replace(/\.\d+$/, ".1") : null;
  for (const address of [gateway, ...(process.env.HOST_ADDRESSES || "").split(",")].filter(Boolean)) out("host", { address, result: await tryConnect(address, Number(process.env.HOST_PORT)) });
  const lookup = await dns.promises.lookup("deb.debian.org").then((found) => "resolved " + found.address, (error) => error.code);
  const resolver = new dns.promises.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([process.env.HOST_RESOLVER]);
  const outside = await resolver.resolve4("deb.debian.org").then((found) => "resolved " + found.join(","), (error) => error.code);
  out("dns", { lookup, outside });
  if (process.env.PEER_PROXY) out("peer", { result: await tryConnect(process.env.PEER_PROXY, 3128) });
  const files = {};
  const walk = (dir) => { for (const entry of fs.readdirSync(dir, { withFileTypes: true })) { const file = path.join(dir, entry.name); if (entry.isDirectory()) walk(file); else if (entry.isFile()) files[file] = fs.readFileSync(file, "utf8"); } };
  walk("/run");
  out("dump", { environ: fs.readFileSync("/proc/1/environ", "utf8").split("\0"), files });
})();
`;

interface Probe {
  probe: string;
  [key: string]: unknown;
}

function hostAddresses(): string[] {
  return Object.values(networkInterfaces())
    .flat()
    .filter((item) => item && item.family === "IPv4" && !item.internal)
    .map((item) => item!.address);
}

function hostResolver(): string {
  const line = readFileSync("/etc/resolv.conf", "utf8")
    .split("\n")
    .find((entry) => entry.startsWith("nameserver "));
  return line?.split(/\s+/)[1] ?? "127.0.0.53";
}

function filesUnder(dir: string): { file: string; bytes: Buffer }[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => ({ file: path.join(entry.parentPath, entry.name), bytes: readFileSync(path.join(entry.parentPath, entry.name)) }));
}

function iptablesInput(): string {
  return execFileSync("iptables", ["-S", "INPUT"], { encoding: "utf8" });
}

interface EngineSetup {
  runtime: DockerRuntime;
  engine: "docker" | "podman";
  dir: string;
  journal: Journal;
  runs: RunManager;
  /** What `runs` was made with: a test makes another manager on the same state (an agent restart). */
  options: RunManagerOptions;
  upstream: ContainerTlsUpstream;
  /** An HTTPS service of the host itself (on all its addresses), with a certificate for `hostServiceAddress`. */
  hostService: TlsUpstream;
  hostServiceAddress: string;
  egressNetwork: string;
  proxyImage: string;
  tmpfsRoot: string;
  hostListener: Server;
  close(): Promise<void>;
}

let bundle = "";
let bundleDir = "";

before(async () => {
  bundleDir = await mkdtemp(path.join(tmpdir(), "bailey-run-egress-bundle-"));
  // The bundle of the sources under test: the proxy image is made from it.
  bundle = path.join(bundleDir, "bailey-agent.cjs");
  execFileSync(process.execPath, [path.join(here, "../build.mjs"), bundle], { stdio: "ignore" });
});

after(async () => {
  await rm(bundleDir, { recursive: true, force: true });
});

async function setUp(runtime: DockerRuntime, engine: "docker" | "podman"): Promise<EngineSetup> {
  const suffix = randomBytes(4).toString("hex");
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-run-egress-"));
  const tmpfsRoot = `/dev/shm/bailey-run-egress-${suffix}`;
  const proxyImage = await ensureEgressProxyImage({ runtime, bundlePath: bundle });
  const egressNetwork = `bailey-egress-test-${suffix}`;
  const networks = runtime.networkManager()!;
  await networks.createNetwork(egressNetwork, { "bailey.test": `run-egress-${suffix}` });
  let upstream: ContainerTlsUpstream | undefined;
  let hostService: TlsUpstream | undefined;
  const hostServiceAddress = hostAddresses()[0]!;
  const hostListener = createServer((_request, response) => response.end("host service\n"));
  try {
    upstream = await startTlsUpstreamContainer({ runtime, image: proxyImage, network: egressNetwork, aliases: [upstreamName], labels: { "bailey.test": `run-egress-${suffix}` } });
    hostService = await startTlsUpstream([hostServiceAddress], "0.0.0.0");
    await writeFile(path.join(dir, "upstream-ca.pem"), `${upstream.caPem}${hostService.caPem}`);
    hostListener.listen(0, "0.0.0.0");
    await new Promise((resolve) => hostListener.once("listening", resolve));
  } catch (error) {
    await upstream?.stop();
    await hostService?.close();
    await networks.removeNetwork(egressNetwork);
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const journal = await Journal.open(path.join(dir, "state"));
  const options: RunManagerOptions = {
    runtime,
    journal,
    store: await RunStore.open(path.join(dir, "state")),
    hostId: `run-egress-${suffix}`,
    buildkitImage: "unused",
    sidecarReadyTimeoutMs: 60_000,
    allowed: ["sandbox:none"],
    tmpfsRoot,
    egressNetwork,
    egressExtraCaFile: path.join(dir, "upstream-ca.pem"),
    agentBundlePath: bundle,
    log: (line) => console.error(`[agent] ${line}`),
  };
  const setup: EngineSetup = {
    runtime,
    engine,
    dir,
    journal,
    runs: new RunManager(options),
    options,
    upstream: upstream!,
    hostService: hostService!,
    hostServiceAddress,
    egressNetwork,
    proxyImage,
    tmpfsRoot,
    hostListener,
    close: async () => {
      hostListener.close();
      await setup.runs.reconcile([]);
      setup.runs.close();
      await upstream?.stop();
      await hostService?.close();
      await networks.removeNetwork(egressNetwork);
      await journal.close();
      await rm(dir, { recursive: true, force: true });
      await rm(tmpfsRoot, { recursive: true, force: true });
    },
  };
  return setup;
}

async function waitForFinal(setup: EngineSetup, runId: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const run = setup.runs.inspect(runId);
    if (["exited", "failed", "timed_out"].includes(run.state)) return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${run.state}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function logsOf(setup: EngineSetup, containerId: string): Promise<string> {
  let text = "";
  for await (const chunk of await setup.runtime.logs(containerId)) text += chunk.data.toString("utf8");
  return text;
}

/**
 * Run A: strict, grant `upstream`; run B, strict without grants, is made while A's proxy runs and
 * tries A's proxy by its address. Then A runs its client and every assertion of the issue's
 * "done when" is checked.
 */
async function strictRunWithGrant(setup: EngineSetup, sandbox: "gvisor" | "none"): Promise<void> {
  const { runtime, runs, upstream } = setup;
  const secret = `grant-value-${randomBytes(16).toString("hex")}`;
  const runA = `egress-a-${randomBytes(4).toString("hex")}`;
  const runB = `egress-b-${randomBytes(4).toString("hex")}`;
  const env = {
    UPSTREAM_IP: upstream.ip,
    HOST_ADDRESSES: hostAddresses().join(","),
    HOST_PORT: String((setup.hostListener.address() as AddressInfo).port),
    HOST_RESOLVER: hostResolver(),
  };
  const created = await runs.create(
    runA,
    runSpec.parse({ image: setup.proxyImage, command: ["node", "-e", clientScript], env, sandbox, grants: ["upstream"], network: { policy: "strict" } }),
    undefined,
    { secrets: {}, grants: [{ name: "upstream", hosts: [upstreamName], inject: { kind: "header", header: "x-api-key" }, value: secret }] },
  );
  try {
    const proxyA = created.sidecars.find((sidecar) => sidecar.role === "egress-proxy");
    assert.ok(proxyA, `run A has an egress proxy sidecar: ${JSON.stringify(created.sidecars)}`);
    const proxyInfo = await runtime.inspectContainer(proxyA.containerId);
    assert.ok(proxyInfo.running);
    assert.notEqual(proxyInfo.ociRuntime, "runsc", "the proxy runs under the engine's default runtime");
    assert.deepEqual([...proxyInfo.networks].sort(), [`bailey-${runA}`, setup.egressNetwork].sort());
    const proxyAddressA = proxyInfo.ipAddresses?.[`bailey-${runA}`];
    assert.ok(proxyAddressA, "the proxy has an address on run A's network");
    const runDir = path.join(setup.tmpfsRoot, runA);
    assert.ok(existsSync(path.join(runDir, "proxy", "egress-proxy.json")));
    assert.match(readFileSync(path.join(runDir, "main", "ca-bundle.crt"), "utf8"), /BEGIN CERTIFICATE/);
    const mainInspect = await runtime.engine.getContainer(created.containerId!).inspect();
    const mainEnv = mainInspect.Config.Env ?? [];
    const token = /^HTTPS_PROXY=http:\/\/bailey:([0-9a-f]{64})@/.exec(mainEnv.find((line) => line.startsWith("HTTPS_PROXY=")) ?? "")?.[1];
    assert.ok(token, `the main container has HTTPS_PROXY with the run's token: ${mainEnv.filter((line) => /proxy/i.test(line)).join(" ")}`);
    assert.ok(
      mainEnv.includes("SSL_CERT_FILE=/run/bailey/ca-bundle.crt") && mainEnv.includes("NODE_EXTRA_CA_CERTS=/run/bailey/ca.crt") && mainEnv.includes("NO_PROXY=localhost,127.0.0.1,::1"),
      mainEnv.join(" "),
    );
    assert.ok(!mainEnv.some((line) => line.includes(secret)), "the grant's value is not in the main container's env");
    assert.deepEqual(mainInspect.NetworkSettings.Networks ? Object.keys(mainInspect.NetworkSettings.Networks) : [], [`bailey-${runA}`], "the main container is on its run network only");
    if (setup.engine === "docker") {
      assert.deepEqual(mainInspect.HostConfig.Dns, ["127.0.0.255"]);
      assert.match(iptablesInput(), new RegExp(`bailey-run-${runA}`), "the host input guard is in place while the run exists");
    } else {
      assert.deepEqual(mainInspect.HostConfig.ExtraHosts, [`egress-proxy:${proxyAddressA}`]);
    }

    // Run B, made while A's proxy runs: A's proxy is on another internal network, out of B's reach.
    await runs.create(runB, runSpec.parse({ image: setup.proxyImage, command: ["node", "-e", clientScript], env: { ...env, PEER_PROXY: proxyAddressA }, sandbox, network: { policy: "strict" } }));
    await runs.start(runB);
    const finishedB = await waitForFinal(setup, runB);
    assert.equal(finishedB.state, "exited", finishedB.error ?? "");
    const probesB = (await logsOf(setup, finishedB.containerId!))
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Probe);
    const peer = probesB.find((probe) => probe.probe === "peer");
    assert.ok(peer && peer.result !== "connected", `run B reached run A's proxy: ${JSON.stringify(probesB)}`);
    assert.equal(probesB.find((probe) => probe.probe === "denied")?.status, 403, "B's own proxy refuses a host it has no grant or allow for");

    await runs.start(runA);
    const finishedA = await waitForFinal(setup, runA);
    assert.equal(finishedA.state, "exited", finishedA.error ?? "");
    const logsA = await logsOf(setup, finishedA.containerId!);
    const probes = logsA
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Probe);
    const probe = (name: string) => probes.find((entry) => entry.probe === name) ?? assert.fail(`no ${name} probe in the run's output:\n${logsA}`);
    assert.deepEqual({ connect: probe("granted").connect, response: probe("granted").response }, { connect: 200, response: "HTTP/1.1 200 OK" }, JSON.stringify(probe("granted")));
    const received = await upstream.requests();
    assert.ok(
      received.some((request) => request.url === "/" && request.headers["x-api-key"] === secret),
      `the upstream received x-api-key with the grant's value: ${JSON.stringify(received.map((request) => request.headers["x-api-key"]?.slice(0, 12)))}`,
    );
    assert.equal(probe("denied").status, 403);
    assert.match(String(probe("denied").body), /denied\.example\.test:443 is not in this run's network\.allow/);
    assert.equal(probe("wrongToken").status, 407);
    assert.notEqual(probe("direct").result, "connected", "the run reached the upstream by IP, around the proxy");
    const hostProbes = probes.filter((entry) => entry.probe === "host");
    assert.ok(hostProbes.length >= 2, JSON.stringify(hostProbes));
    for (const entry of hostProbes) assert.notEqual(entry.result, "connected", `the run reached a host address: ${JSON.stringify(entry)}`);
    assert.ok(!String(probe("dns").lookup).startsWith("resolved") && !String(probe("dns").outside).startsWith("resolved"), `the run resolved an outside name: ${JSON.stringify(probe("dns"))}`);

    // No trace of the value in what the run holds or printed, nor of it or the token in the agent's state.
    assert.ok(!logsA.includes(secret), "the grant's value is in the run's logs (its env, /proc/1/environ or a file under /run)");
    assert.ok(Object.keys((probe("dump").files as Record<string, string>) ?? {}).includes("/run/bailey/ca.crt"), JSON.stringify(Object.keys(probe("dump").files as object)));
    for (const { file, bytes } of filesUnder(path.join(setup.dir, "state"))) {
      for (const value of [secret, token]) assert.ok(!bytes.includes(Buffer.from(value)), `${file} holds the grant's value or the proxy token`);
    }

    // Journalled: the denial, and the granted connection with its bytes; only this run's events.
    const events = setup.journal.pull(0, 100_000).events.filter((event) => event.runId === runA);
    const denied = events.find((event) => event.type === "egress.denied");
    assert.deepEqual(denied?.data && { host: denied.data.host, port: denied.data.port }, { host: "denied.example.test", port: 443 });
    const allowed = events.find((event) => event.type === "egress.allowed" && event.data.via === "upstream");
    assert.ok(allowed, `egress.allowed is journalled: ${JSON.stringify(events.map((event) => event.type))}`);
    assert.equal(allowed.data.host, upstreamName);
    assert.ok(Number(allowed.data.bytesIn) > 0 && Number(allowed.data.bytesOut) > 0, JSON.stringify(allowed.data));
    assert.ok(events.some((event) => event.type === "sidecar.stopped" && event.data.role === "egress-proxy"));

    // After the run: only the exited main container (kept for its logs) is left.
    const left = await runtime.listContainers({ [labelKeys.runId]: runA });
    assert.deepEqual(
      left.map((container) => container.labels[labelKeys.role]),
      ["main"],
    );
    assert.deepEqual(await runtime.networkManager()!.listNetworks({ [labelKeys.runId]: runA }), []);
    assert.ok(!existsSync(runDir), "the run's tmpfs directory is gone");
    if (setup.engine === "docker") assert.doesNotMatch(iptablesInput(), new RegExp(`bailey-run-(${runA}|${runB})`), "a host input rule of the runs is left");
  } finally {
    await runs.destroy(runA);
    await runs.destroy(runB);
  }
}

const probesIn = (logs: string) =>
  logs
    .split("\n")
    .filter((line) => line.startsWith("{"))
    .map((line) => JSON.parse(line) as Probe);

async function openRunWithGrant(setup: EngineSetup): Promise<void> {
  const { runs, hostService, hostServiceAddress } = setup;
  const secret = `open-grant-${randomBytes(16).toString("hex")}`;
  const runId = `egress-open-${randomBytes(4).toString("hex")}`;
  // The same host service by another of the host's addresses: a host no grant names.
  const otherAddress = hostAddresses().find((address) => address !== hostServiceAddress);
  assert.ok(otherAddress, `the host has a second address: ${hostAddresses().join(", ")}`);
  const created = await runs.create(
    runId,
    runSpec.parse({
      image: setup.proxyImage,
      command: ["node", "-e", clientScript],
      env: { TARGET_HOST: hostServiceAddress, TARGET_PORT: String(hostService.port), OTHER_TARGET: `${otherAddress}:${hostService.port}`, ONLY_GRANTED: "1" },
      sandbox: "none",
      grants: ["host-service"],
    }),
    undefined,
    { secrets: {}, grants: [{ name: "host-service", hosts: [hostServiceAddress], inject: { kind: "bearer" }, value: secret }] },
  );
  try {
    const proxy = await setup.runtime.inspectContainer(created.sidecars.find((sidecar) => sidecar.role === "egress-proxy")!.containerId);
    assert.deepEqual(proxy.networks, [`bailey-${runId}`], "an open run's proxy is on the run network only");
    const main = await setup.runtime.engine.getContainer(created.containerId!).inspect();
    assert.ok(!main.HostConfig.Dns?.length, "an open run keeps the engine's DNS");
    const connectionsBefore = hostService.connections();
    await runs.start(runId);
    const finished = await waitForFinal(setup, runId);
    assert.equal(finished.state, "exited", finished.error ?? "");
    const logs = await logsOf(setup, finished.containerId!);
    const probes = probesIn(logs);
    const granted = probes.find((probe) => probe.probe === "granted");
    assert.deepEqual(granted && { connect: granted.connect, response: granted.response }, { connect: 200, response: "HTTP/1.1 200 OK" }, logs);
    assert.equal(probes.find((probe) => probe.probe === "other")?.status, 200, logs);
    assert.ok(
      hostService.requests.some((request) => request.headers.authorization === `Bearer ${secret}`),
      "the granted host got the grant's bearer token",
    );
    assert.ok(hostService.connections() >= connectionsBefore + 2, "the other host was reached through the tunnel");
    assert.ok(!logs.includes(secret));
    const events = setup.journal.pull(0, 100_000).events.filter((event) => event.runId === runId && event.type === "egress.allowed");
    assert.deepEqual(events.map((event) => `${event.data.host} via ${event.data.via}`).sort(), [`${hostServiceAddress} via host-service`, `${otherAddress} via allow`].sort());
  } finally {
    await runs.destroy(runId);
  }
}

async function agentRestartMidRun(setup: EngineSetup): Promise<void> {
  const secret = `restart-grant-${randomBytes(16).toString("hex")}`;
  const runId = `egress-restart-${randomBytes(4).toString("hex")}`;
  await setup.runs.create(
    runId,
    runSpec.parse({
      image: setup.proxyImage,
      command: ["node", "-e", clientScript],
      env: { ROUNDS: "2", ROUND_DELAY_MS: "6000", ONLY_GRANTED: "1" },
      sandbox: "none",
      grants: ["upstream"],
      network: { policy: "strict" },
    }),
    undefined,
    { secrets: {}, grants: [{ name: "upstream", hosts: [upstreamName], inject: { kind: "header", header: "x-api-key" }, value: secret }] },
  );
  const allowed = () => setup.journal.pull(0, 100_000).events.filter((event) => event.runId === runId && event.type === "egress.allowed");
  try {
    await setup.runs.start(runId);
    const deadline = Date.now() + 30_000;
    while (allowed().length < 1) {
      if (Date.now() > deadline) throw new Error(`the first request of run ${runId} was not journalled within 30 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The agent stops between the two requests, and a new one takes the run up from the same state.
    setup.runs.close();
    setup.runs = new RunManager(setup.options);
    await setup.runs.resume();
    const finished = await waitForFinal(setup, runId);
    assert.equal(finished.state, "exited", finished.error ?? "");
    const received = (await setup.upstream.requests()).filter((request) => request.headers["x-api-key"] === secret);
    assert.equal(received.length, 2, "both requests reached the upstream");
    assert.equal(allowed().length, 2, `each request is journalled once: ${JSON.stringify(allowed().map((event) => [event.at, event.data]))}`);
  } finally {
    await setup.runs.destroy(runId);
  }
}

describe("runs with grants and strict egress on Docker (runc and runsc)", () => {
  let setup: EngineSetup | undefined;
  before(async () => {
    const runtime = await requireDocker();
    await requireRunsc(runtime);
    setup = await setUp(runtime, "docker");
  });
  after(async () => {
    await setup?.close();
  });

  it("under runc: the grant's credential reaches the upstream through the proxy, and nothing gets out around it", async () => {
    await strictRunWithGrant(setup!, "none");
  });

  it("under runsc: the same", async () => {
    await strictRunWithGrant(setup!, "gvisor");
  });

  it("open policy with a grant: the granted host gets the credential through the proxy, any other host is tunnelled", async () => {
    await openRunWithGrant(setup!);
  });

  it("after an agent restart the proxy's log is followed on from where it was: no event lost, none journalled twice", async () => {
    await agentRestartMidRun(setup!);
  });

  it("a strict run whose proxy cannot start fails, and leaves no container, network, host rule or tmpfs directory", async () => {
    const runs = new RunManager({ ...setup!.options, egressExtraCaFile: path.join(setup!.dir, "no-such-ca.pem") });
    const runId = `egress-fail-${randomBytes(4).toString("hex")}`;
    const secret = `failing-grant-${randomBytes(12).toString("hex")}`;
    await assert.rejects(
      runs.create(runId, runSpec.parse({ image: setup!.proxyImage, command: ["true"], sandbox: "none", grants: ["upstream"], network: { policy: "strict" } }), undefined, {
        secrets: {},
        grants: [{ name: "upstream", hosts: [upstreamName], inject: { kind: "bearer" }, value: secret }],
      }),
      (error: Error) => {
        assert.match(error.message, /BAILEY_EGRESS_EXTRA_CA_FILE is .*no-such-ca\.pem, which is not a file on this host/);
        assert.ok(!error.message.includes(secret));
        return true;
      },
    );
    try {
      assert.equal(runs.inspect(runId).state, "failed");
      assert.deepEqual(await setup!.runtime.listContainers({ [labelKeys.runId]: runId }), []);
      assert.deepEqual(await setup!.runtime.networkManager()!.listNetworks({ [labelKeys.runId]: runId }), []);
      assert.doesNotMatch(iptablesInput(), new RegExp(`bailey-run-${runId}`));
      assert.ok(!existsSync(path.join(setup!.tmpfsRoot, runId)));
    } finally {
      await runs.destroy(runId);
    }
  });

  it("a strict run with docker:dind: BuildKit pulls through the run's proxy, and the main container reaches BuildKit directly", async () => {
    await ensureStandinImage();
    const runs = new RunManager({ ...setup!.options, allowed: ["sandbox:none", "docker:dind"], buildkitImage: standinImage, dindPrivileged: false });
    const runId = `egress-dind-${randomBytes(4).toString("hex")}`;
    const created = await runs.create(runId, runSpec.parse({ image: setup!.proxyImage, command: ["true"], sandbox: "none", dependencies: ["docker:dind"], network: { policy: "strict" } }));
    try {
      const envOf = async (role: string) => {
        const id = role === "main" ? created.containerId! : created.sidecars.find((sidecar) => sidecar.role === role)!.containerId;
        const inspected = await setup!.runtime.engine.getContainer(id).inspect();
        return { env: Object.fromEntries((inspected.Config.Env ?? []).map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)])), dns: inspected.HostConfig.Dns };
      };
      const main = await envOf("main");
      const buildkit = await envOf("buildkit");
      assert.deepEqual(
        created.sidecars.map((sidecar) => sidecar.role),
        ["egress-proxy", "buildkit"],
      );
      assert.match(main.env.HTTPS_PROXY ?? "", /^http:\/\/bailey:[0-9a-f]{64}@egress-proxy:3128$/);
      assert.equal(buildkit.env.HTTPS_PROXY, main.env.HTTPS_PROXY, "BuildKit goes through the same proxy");
      assert.equal(main.env.NO_PROXY, "localhost,127.0.0.1,::1,buildkit");
      assert.equal(main.env.BUILDKIT_HOST, "tcp://buildkit:1234");
      assert.equal(buildkit.env.SSL_CERT_FILE, undefined, "BuildKit keeps its own CAs");
      assert.deepEqual(buildkit.dns, ["127.0.0.255"]);
    } finally {
      await runs.destroy(runId);
    }
  });
});

describe("runs with grants and strict egress on Podman", () => {
  let podman: PodmanService | undefined;
  let setup: EngineSetup | undefined;
  before(async () => {
    podman = await startPodmanService();
    setup = await setUp(createPodmanRuntime(podman.socketPath), "podman");
  });
  after(async () => {
    await setup?.close();
    await podman?.stop();
  });

  it("the grant's credential reaches the upstream through the proxy, and nothing gets out around it", async () => {
    await strictRunWithGrant(setup!, "none");
  });
});

describe("the image's CA bundle, read from a created container", () => {
  it("reads a regular file and one behind symlinks on real Docker; a missing path is null", async () => {
    const runtime = await requireDocker();
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-container-file-"));
    const id = await runtime.createContainer({ name: `bailey-test-cafile-${randomBytes(4).toString("hex")}`, image: "bailey-test/busybox:latest", command: ["true"], labels: {}, sandbox: "none" });
    try {
      const bundle = `-----BEGIN CERTIFICATE-----\n${randomBytes(600).toString("base64")}\n-----END CERTIFICATE-----\n`;
      // As Alpine and Debian lay them out: the bundle under one name, links to it under others.
      execFileSync("sh", ["-c", "mkdir -p etc/ssl/certs && cat > etc/ssl/bundle.pem && ln -s ../bundle.pem etc/ssl/certs/ca-certificates.crt && ln -s certs/ca-certificates.crt etc/ssl/cert.pem"], {
        cwd: dir,
        input: bundle,
      });
      await runtime.engine.getContainer(id).putArchive(execFileSync("tar", ["-c", "-C", dir, "etc"]), { path: "/" });
      assert.equal((await readContainerFile(runtime, id, "/etc/ssl/bundle.pem"))?.toString(), bundle);
      assert.equal((await readContainerFile(runtime, id, "/etc/ssl/certs/ca-certificates.crt"))?.toString(), bundle);
      assert.equal((await readContainerFile(runtime, id, "/etc/ssl/cert.pem"))?.toString(), bundle);
      assert.equal(await readContainerFile(runtime, id, "/etc/ssl/absent.pem"), null);
      assert.equal(await readContainerFile(runtime, id, "/etc/ssl"), null, "a directory is not a bundle");
    } finally {
      await runtime.removeContainer(id);
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe("egress refusals and the proxy's event lines", () => {
  it("a runtime that cannot run the proxy refuses grants and strict, naming the runtime, before creating anything", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "bailey-run-egress-mock-"));
    const journal = await Journal.open(dir);
    try {
      const runtime = new MockRuntime({});
      const runs = new RunManager({
        runtime,
        journal,
        store: await RunStore.open(dir),
        hostId: "h",
        buildkitImage: "b",
        sidecarReadyTimeoutMs: 1000,
        tmpfsRoot: path.join(dir, "shm"),
        allowed: ["docker:host"],
      });
      const grant = { name: "upstream", hosts: ["api.example.com"], inject: { kind: "bearer" as const }, value: "v" };
      for (const [runId, spec, credentials] of [
        ["g1", runSpec.parse({ image: "a", grants: ["upstream"] }), { secrets: {}, grants: [grant] }],
        ["g2", runSpec.parse({ image: "a", network: { policy: "strict" } }), undefined],
      ] as [string, ReturnType<typeof runSpec.parse>, Parameters<RunManager["create"]>[3]][]) {
        await assert.rejects(runs.create(runId, spec, undefined, credentials), (error: unknown) => {
          assert.ok(error instanceof RpcError);
          assert.equal(error.code, rpcErrorCodes.unsupportedFeature);
          assert.match(error.message, /The mock runtime cannot run the egress proxy sidecar that (grants|network\.policy strict) need/);
          return true;
        });
      }
      assert.deepEqual(
        runtime.calls.filter((call) => call.method !== "ping"),
        [],
      );
      await assert.rejects(
        runs.create("g5", runSpec.parse({ image: "a", dependencies: ["docker:host"], network: { policy: "strict" } })),
        /strict egress cannot hold with the host engine's socket .*: use docker:dind instead, or network\.policy open/,
      );
      await assert.rejects(runs.create("g3", runSpec.parse({ image: "a", grants: ["upstream"] }), undefined, { secrets: {}, grants: [] }), /names grants it carries no credentials for: upstream/);
      await assert.rejects(runs.create("g4", runSpec.parse({ image: "a" }), undefined, { secrets: {}, grants: [grant] }), /carries credentials for grants its spec does not name: upstream/);
    } finally {
      await journal.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("only well-formed egress.allowed / egress.denied lines become events, with the protocol's fields only", () => {
    assert.deepEqual(parseEgressEventLine('{"type":"egress.allowed","host":"a.test","port":443,"via":"g","bytesIn":1,"bytesOut":2,"extra":"x"}'), {
      type: "egress.allowed",
      data: { host: "a.test", port: 443, via: "g", bytesIn: 1, bytesOut: 2 },
    });
    assert.deepEqual(parseEgressEventLine('{"type":"egress.denied","host":"b.test","port":80,"reason":"r"}'), { type: "egress.denied", data: { host: "b.test", port: 80, reason: "r" } });
    assert.deepEqual(parseEgressEventLine('{"type":"egress.listening","host":"0.0.0.0","port":3128}'), { type: "egress.listening" });
    for (const line of [
      '{"type":"egress.allowed","host":"a.test"}',
      '{"type":"run.state","state":"exited"}',
      "not json",
      "null",
      '"egress.denied"',
      '{"type":"egress.denied","host":1,"port":80,"reason":"r"}',
    ]) {
      assert.equal(parseEgressEventLine(line), null, line);
    }
  });
});
