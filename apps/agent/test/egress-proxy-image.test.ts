// The egress proxy image the agent imports itself, on real Docker and real Podman: imported once
// (concurrent and later callers reuse it), it runs the proxy from a bind-mounted config dir, and
// it serves the containerised TLS upstream other egress tests use. Each engine gets its own
// repository (bailey-test/egress-proxy-<random>), removed afterwards with every container and
// network made here; the shared bailey/egress-proxy tag is never touched.
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { request as httpsRequest } from "node:https";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, describe, it } from "node:test";
import { createPodmanRuntime, type DockerRuntime, type Runtime, UnsupportedFeatureError } from "@bailey/runtime";
import { MockRuntime, type PodmanService, requireDocker, requireRunsc, startPodmanService } from "@bailey/runtime/testing";
import { createCertificateAuthority } from "../src/egress/ca";
import { egressConfigFileName } from "../src/egress/config";
import { egressProxyCommand, ensureEgressProxyImage } from "../src/egress/proxy-image";
import { absoluteScriptPathsIn, externalizedBuiltinsOf } from "../src/egress/node-builtin-files";
import { egressProxyRootfs } from "../src/egress/proxy-image-rootfs";
import { rootfsTar } from "../src/egress/rootfs-tar";
import { type ContainerTlsUpstream, startTlsUpstreamContainer } from "../src/testing";

const here = path.dirname(fileURLToPath(import.meta.url));
const suffix = randomBytes(4).toString("hex");
const labels = { "bailey.test": `egress-proxy-image-${suffix}` };
let dir: string;
let bundle: string;
let podmanService: PodmanService | undefined;

before(async () => {
  dir = await mkdtemp(path.join(tmpdir(), "bailey-egress-image-"));
  // The bundle of the sources under test, not whatever apps/agent/dist last held.
  bundle = path.join(dir, "bailey-agent.cjs");
  execFileSync(process.execPath, [path.join(here, "../build.mjs"), bundle], { stdio: "ignore" });
});

after(async () => {
  await podmanService?.stop();
  await rm(dir, { recursive: true, force: true });
});

interface EngineUnderTest {
  /** The driver itself: the test removes its image through the engine's own client. */
  runtime: DockerRuntime;
  name: "docker" | "podman";
}

/** The runtime with its imports counted (and timed), everything else passed through. */
function countingImports(runtime: Runtime): { runtime: Runtime; imports: () => number } {
  let imports = 0;
  const counted = new Proxy(runtime, {
    get(target, property) {
      if (property === "importImage") {
        return (...args: Parameters<NonNullable<Runtime["importImage"]>>) => {
          imports++;
          return target.importImage!(...args);
        };
      }
      const value = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { runtime: counted, imports: () => imports };
}

async function stdoutLines(runtime: Runtime, id: string): Promise<string[]> {
  let text = "";
  for await (const chunk of await runtime.logs(id)) if (chunk.stream === "stdout") text += chunk.data.toString("utf8");
  return text.split("\n").filter(Boolean);
}

async function allOutput(runtime: Runtime, id: string): Promise<string> {
  let text = "";
  for await (const chunk of await runtime.logs(id)) text += chunk.data.toString("utf8");
  return text;
}

async function waitForLine(runtime: Runtime, id: string, test: (line: string) => boolean, timeoutMs = 30_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const line = (await stdoutLines(runtime, id)).find(test);
    if (line) return line;
    if (!(await runtime.inspectContainer(id)).running) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no such line from container ${id} within ${timeoutMs} ms; it printed:\n${await allOutput(runtime, id)}`);
}

function httpsGet(options: { ip: string; servername: string; ca: string; path: string; headers?: Record<string, string> }): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      { host: options.ip, port: 443, servername: options.servername, ca: options.ca, path: options.path, headers: { host: options.servername, ...options.headers }, agent: false },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (data: Buffer) => chunks.push(data));
        response.once("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
        response.once("error", reject);
      },
    );
    request.once("error", reject);
    request.setTimeout(15_000, () => request.destroy(new Error(`no answer from ${options.ip} within 15 s`)));
    request.end();
  });
}

/** `tar` with the tarball on stdin; its stdout. */
function runTar(args: string[], tarball: Readable): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("tar", args, { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (data: Buffer) => (stdout += data));
    child.stderr.on("data", (data: Buffer) => (stderr += data));
    tarball.once("error", reject);
    tarball.pipe(child.stdin);
    child.once("exit", (code) => (code === 0 ? resolve(stdout) : reject(new Error(`tar ${args.join(" ")} exited ${code}: ${stderr}`))));
  });
}

describe("the image's root filesystem", () => {
  it("is a tarball GNU tar reads: node, its libraries and loader, the bundle, DNS settings, a sticky /tmp", async () => {
    const listing = await runTar(["-tvf", "-"], rootfsTar(await egressProxyRootfs({ nodePath: process.execPath, bundlePath: bundle })));
    const entries = new Map(
      listing
        .split("\n")
        .filter(Boolean)
        .map((line) => [line.split(/\s+/).at(-1)!, line.split(/\s+/)[0]!]),
    );
    assert.equal(entries.get("usr/local/bin/node"), "-rwxr-xr-x");
    assert.equal(entries.get("bailey/bailey-agent.cjs"), "-rw-r--r--");
    assert.equal(entries.get("etc/nsswitch.conf"), "-rw-r--r--");
    assert.equal(entries.get("tmp/"), "drwxrwxrwt");
    const interpreter = execFileSync("ldd", [process.execPath], { encoding: "utf8" }).match(/^\s*(\/\S+ld-linux\S*)/m)?.[1];
    assert.ok(interpreter, "node has a dynamic loader");
    assert.ok(entries.has(interpreter.slice(1)), `the loader ${interpreter} is in the image:\n${listing}`);
    assert.ok(
      [...entries.keys()].some((entry) => /\/libc\.so\.6$/.test(entry)),
      "libc is in the image",
    );
  });

  it("keeps paths over 100 bytes (ustar prefix) and file contents exactly", async () => {
    const deep = `a/${"b".repeat(90)}/${"c".repeat(60)}/file.txt`;
    const out = await mkdtemp(path.join(dir, "extract-"));
    await runTar(
      ["-xf", "-", "-C", out],
      rootfsTar([
        { kind: "directory", path: "a" },
        { kind: "directory", path: path.posix.dirname(path.posix.dirname(deep)) },
        { kind: "directory", path: path.posix.dirname(deep) },
        { kind: "inline-file", path: deep, content: "deep\n" },
      ]),
    );
    assert.equal(await readFile(path.join(out, deep), "utf8"), "deep\n");
  });
});

// Debian's node aborts at start without the builtins it keeps in /usr/share/nodejs (checked by hand
// with nodejs 18.20.4+dfsg-1~deb12u3: the image then starts, resolves names and runs the proxy).
describe("the builtins a distribution's node keeps outside the binary", () => {
  it("are found as path strings in the binary, also across a read boundary, and kept only when the host has them", async () => {
    const hostScript = execFileSync("find", ["/usr", "-name", "*.js", "-type", "f", "-print", "-quit"], { encoding: "utf8" }).trim();
    assert.ok(hostScript, "this host has some .js file under /usr");
    const missing = "/usr/share/nodejs/not-here/missing.js";
    const boundary = "/usr/share/nodejs/cut-by-a-chunk/lexer.js";
    const filler = Buffer.alloc(1024 * 1024 - 10, 0);
    const binary = Buffer.concat([Buffer.from(`\0${hostScript}\0${missing}\0`), filler.subarray(0, filler.length - hostScript.length - missing.length - 3), Buffer.from(`${boundary}\0\x7fELF`)]);
    const file = path.join(dir, "fake-libnode.so");
    await writeFile(file, binary);
    assert.deepEqual((await absoluteScriptPathsIn(file)).sort(), [boundary, hostScript, missing].sort());
    assert.deepEqual(await externalizedBuiltinsOf([file]), [hostScript]);
  });
});

describe("ensureEgressProxyImage refuses what it cannot do", () => {
  it("on a runtime that cannot import images, naming it", async () => {
    await assert.rejects(ensureEgressProxyImage({ runtime: new MockRuntime(), bundlePath: bundle }), (error: Error) => {
      assert.ok(error instanceof UnsupportedFeatureError);
      assert.match(error.message, /mock runtime cannot import images.*use Docker or Podman/);
      return true;
    });
  });

  it("without the agent bundle, saying how to build it", async () => {
    await assert.rejects(ensureEgressProxyImage({ runtime: new MockRuntime(), bundlePath: path.join(dir, "missing.cjs") }), /does not exist.*node apps\/agent\/build\.mjs/);
  });
});

function engineSuite(name: "docker" | "podman", open: () => Promise<EngineUnderTest>) {
  describe(`the egress proxy image on ${name}`, () => {
    let engine: EngineUnderTest;
    let image: string;
    const repository = `bailey-test/egress-proxy-${suffix}`;
    const containers: string[] = [];
    const networks: string[] = [];

    before(async () => {
      engine = await open();
    });

    after(async () => {
      if (!engine) return;
      for (const id of containers) await engine.runtime.removeContainer(id);
      for (const network of networks) await engine.runtime.networkManager()!.removeNetwork(network);
      if (image) await engine.runtime.engine.getImage(image).remove({ force: true });
    });

    it("is imported once: concurrent callers share the import, a later one finds the image", async () => {
      const { runtime, imports } = countingImports(engine.runtime);
      const logged: string[] = [];
      const started = Date.now();
      const [first, second] = await Promise.all([
        ensureEgressProxyImage({ runtime, bundlePath: bundle, repository, log: (line) => logged.push(line) }),
        ensureEgressProxyImage({ runtime, bundlePath: bundle, repository, log: (line) => logged.push(line) }),
      ]);
      const importMs = Date.now() - started;
      image = first;
      assert.equal(second, first);
      assert.equal(imports(), 1, "two concurrent callers made one import");
      assert.match(first, new RegExp(`^${name === "podman" ? "localhost/" : ""}${repository}:${process.versions.node.replaceAll(".", "\\.")}-[0-9a-f]{12}$`));
      const details = await engine.runtime.engine.getImage(first).inspect();
      assert.equal(details.Config.Labels?.["bailey.managed"], "true");
      assert.ok(
        details.Config.Env?.some((entry) => entry.startsWith("PATH=/usr/local/bin")),
        `PATH is set: ${details.Config.Env}`,
      );
      assert.equal(logged.filter((line) => line.startsWith("imported the egress proxy image")).length, 1, logged.join("\n"));

      const again = Date.now();
      assert.equal(await ensureEgressProxyImage({ runtime, bundlePath: bundle, repository }), first);
      const reuseMs = Date.now() - again;
      assert.equal(imports(), 1, "the second ensure imported nothing");
      // Inspecting an image and hashing a 4 MiB bundle; an import writes ~100 MiB.
      assert.ok(reuseMs < 2_000, `reusing took ${reuseMs} ms`);
      console.log(`[${name}] import ${importMs} ms (${(details.Size / 1024 / 1024).toFixed(0)} MiB), reuse ${reuseMs} ms`);
    });

    it("leaves no image behind when the tarball fails half-way", async () => {
      const reference = `${name === "podman" ? "localhost/" : ""}bailey-test/egress-proxy-broken-${suffix}:1`;
      async function* halfATarball() {
        yield (await readFile(bundle)).subarray(0, 64 * 1024);
        throw new Error("the disk went away");
      }
      await assert.rejects(engine.runtime.importImage(Readable.from(halfATarball()), reference), /Could not import the image .*(the disk went away|tar)/);
      assert.equal(await engine.runtime.inspectImage(reference), null);
    });

    it("gives an imported image labels and env with spaces as written, and refuses what the engines read apart", async () => {
      const reference = `${name === "podman" ? "localhost/" : ""}bailey-test/egress-proxy-config-${suffix}:1`;
      const tarball = () => rootfsTar([{ kind: "inline-file", path: "/marker", content: "x" }]);
      await engine.runtime.importImage(tarball(), reference, { labels: { "bailey.test/words": "two words: 1.2" }, env: { WORDS: "a b=c" } });
      try {
        const details = await engine.runtime.engine.getImage(reference).inspect();
        assert.equal(details.Config.Labels?.["bailey.test/words"], "two words: 1.2");
        assert.ok(details.Config.Env?.includes("WORDS=a b=c"), `${details.Config.Env}`);
      } finally {
        await engine.runtime.engine.getImage(reference).remove({ force: true });
      }
      await assert.rejects(engine.runtime.importImage(tarball(), reference, { env: { HOME_AGAIN: "$HOME" } }), /value of HOME_AGAIN "\$HOME".*read quotes, backslashes and \$ in it differently/);
      await assert.rejects(engine.runtime.importImage(tarball(), reference, { labels: { 'say "hi"': "x" } }), /label "say \\"hi\\""/);
      assert.equal(await engine.runtime.inspectImage(reference), null);
    });

    it("runs the proxy from a bind-mounted config directory", async () => {
      assert.ok(image, "the import test ran first");
      const configDir = await mkdtemp(path.join(dir, `${name}-config-`));
      const ca = await createCertificateAuthority("bailey run image-test");
      await writeFile(path.join(configDir, "ca.crt"), ca.certPem);
      await writeFile(path.join(configDir, "ca.key"), ca.keyPem, { mode: 0o600 });
      const config = { token: randomBytes(32).toString("hex"), caCertFile: "ca.crt", caKeyFile: "ca.key", grants: [], allow: ["deb.debian.org"], host: "0.0.0.0", port: 3128 };
      await writeFile(path.join(configDir, egressConfigFileName), JSON.stringify(config), { mode: 0o600 });
      const id = await engine.runtime.createContainer({
        name: `bailey-test-egress-proxy-${suffix}`,
        image,
        command: egressProxyCommand("/run/bailey-egress"),
        labels,
        sandbox: "none",
        readOnlyBinds: [{ source: configDir, target: "/run/bailey-egress" }],
      });
      containers.push(id);
      await engine.runtime.startContainer(id);
      const line = await waitForLine(engine.runtime, id, (text) => text.includes('"egress.listening"'));
      const event = JSON.parse(line) as { type: string; host: string; port: number };
      assert.deepEqual({ type: event.type, host: event.host, port: event.port }, { type: "egress.listening", host: "0.0.0.0", port: 3128 });
      assert.ok((await engine.runtime.inspectContainer(id)).running, "the proxy keeps running");
    });

    it("serves the containerised TLS upstream: by IP from here, by its alias from a container on its network", async () => {
      assert.ok(image, "the import test ran first");
      const network = `bailey-test-upstream-${suffix}`;
      await engine.runtime.networkManager()!.createNetwork(network, labels);
      networks.push(network);
      let upstream: ContainerTlsUpstream | undefined;
      try {
        upstream = await startTlsUpstreamContainer({
          runtime: engine.runtime,
          image,
          network,
          aliases: ["api.upstream.test", "files.upstream.test"],
          name: `bailey-test-upstream-${name}-${suffix}`,
          labels,
        });
        const marker = randomBytes(8).toString("hex");
        const answer = await httpsGet({ ip: upstream.ip, servername: "api.upstream.test", ca: upstream.caPem, path: "/hello?from=test", headers: { "x-test-marker": marker } });
        assert.equal(answer.status, 200);
        assert.deepEqual(JSON.parse(answer.body.toString("utf8")), { ok: true, method: "GET", url: "/hello?from=test" });
        const bytes = await httpsGet({ ip: upstream.ip, servername: "api.upstream.test", ca: upstream.caPem, path: "/bytes/1000000" });
        assert.equal(bytes.body.length, 1_000_000);

        // What the egress proxy will do: resolve the alias on the network, verify the certificate for it.
        const clientScript = `
          const get = (url) => new Promise((resolve) => require("node:https").get(url, { ca: process.env.UPSTREAM_CA, headers: { "x-from": "container" } }, (r) => { r.resume(); resolve(url + " " + r.statusCode); }).on("error", (e) => { process.exitCode = 1; resolve(url + " " + e.message); }));
          (async () => { for (const url of ["https://api.upstream.test/from-a-container", "https://files.upstream.test/by-its-second-alias"]) console.log(await get(url)); })();`;
        const client = await engine.runtime.createContainer({
          name: `bailey-test-upstream-client-${name}-${suffix}`,
          image,
          command: ["node", "-e", clientScript],
          env: { UPSTREAM_CA: upstream.caPem },
          labels,
          sandbox: "none",
          network,
        });
        containers.push(client);
        await engine.runtime.startContainer(client);
        const exitCode = await engine.runtime.waitContainer(client);
        assert.equal(exitCode, 0, await allOutput(engine.runtime, client));
        assert.deepEqual(await stdoutLines(engine.runtime, client), ["https://api.upstream.test/from-a-container 200", "https://files.upstream.test/by-its-second-alias 200"]);

        const requests = await upstream.requests();
        assert.deepEqual(
          requests.map((request) => `${request.method} ${request.url}`),
          ["GET /hello?from=test", "GET /bytes/1000000", "GET /from-a-container", "GET /by-its-second-alias"],
        );
        assert.equal(requests[0]!.headers["x-test-marker"], marker);
        assert.equal(requests[0]!.headers.host, "api.upstream.test");
        assert.equal(requests[2]!.headers["x-from"], "container");
        assert.equal(requests[3]!.headers.host, "files.upstream.test");
      } finally {
        await upstream?.stop();
      }
    });
  });
}

engineSuite("docker", async () => ({ runtime: await requireDocker(), name: "docker" }));

// Runs (H1b's tests, the Playwright spec) use the image for their sandboxed client containers too.
it("runs node under gVisor (runsc) on Docker", async () => {
  const runtime = await requireDocker();
  await requireRunsc(runtime);
  const repository = `bailey-test/egress-proxy-runsc-${suffix}`;
  const image = await ensureEgressProxyImage({ runtime, bundlePath: bundle, repository });
  const id = await runtime.createContainer({ name: `bailey-test-egress-image-runsc-${suffix}`, image, command: ["node", "-p", "process.version"], labels, sandbox: "gvisor" });
  try {
    await runtime.startContainer(id);
    assert.equal(await runtime.waitContainer(id), 0, await allOutput(runtime, id));
    assert.equal((await runtime.inspectContainer(id)).ociRuntime, "runsc");
    assert.deepEqual(await stdoutLines(runtime, id), [process.version]);
  } finally {
    await runtime.removeContainer(id);
    await runtime.engine.getImage(image).remove({ force: true });
  }
});
engineSuite("podman", async () => {
  podmanService = await startPodmanService();
  return { runtime: createPodmanRuntime(podmanService.socketPath), name: "podman" };
});
