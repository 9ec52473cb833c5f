import { mkdtemp, rm } from "node:fs/promises";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { Duplex, PassThrough } from "node:stream";
import { RpcError, rpcErrorCodes } from "../src/errors";
import type { Handlers } from "../src/peer";
import { assertCompatibleVersion, protocolVersion } from "../src/version";

/** Two connected in-memory byte streams, like the two ends of a socket (with backpressure; destroying one closes the other). */
export function duplexPair(): [Duplex, Duplex] {
  const aToB = new PassThrough();
  const bToA = new PassThrough();
  return [Duplex.from({ readable: bToA, writable: aToB }), Duplex.from({ readable: aToB, writable: bToA })];
}

/** Both ends of a real Unix-socket connection. */
export async function unixSocketPair(): Promise<{ client: net.Socket; server: net.Socket; cleanup(): Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), "bailey-rpc-"));
  const socketPath = path.join(dir, "agent.sock");
  const listener = net.createServer();
  await new Promise<void>((resolve) => listener.listen(socketPath, resolve));
  const accepted = new Promise<net.Socket>((resolve) => listener.once("connection", resolve));
  const client = net.connect(socketPath);
  await new Promise((resolve) => client.once("connect", resolve));
  const server = await accepted;
  return {
    client,
    server,
    cleanup: async () => {
      client.destroy();
      server.destroy();
      await new Promise<void>((resolve) => listener.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface Transport {
  name: string;
  open(): Promise<{ client: Duplex; server: Duplex; cleanup(): Promise<void> }>;
}

export const transports: Transport[] = [
  {
    name: "stream.PassThrough pair",
    open: async () => {
      const [client, server] = duplexPair();
      return { client, server, cleanup: async () => void (client.destroy(), server.destroy()) };
    },
  },
  { name: "net Unix socket", open: unixSocketPair },
];

export const hello = {
  protocolVersion,
  agentVersion: "test",
  hostId: "h1",
  runtime: "mock" as const,
  features: { networks: true, sidecars: true, builds: true, runsc: true },
  cpus: 2,
  memoryBytes: 1024,
  runningRuns: [],
};

export function agentRun(runId: string) {
  return {
    runId,
    state: "running" as const,
    containerId: "c",
    networkId: null,
    networkName: null,
    sidecars: [],
    exitCode: null,
    error: null,
    imageDigest: null,
    createdAt: "t",
    startedAt: null,
    finishedAt: null,
  };
}

/** What the server-side handlers did, for tests that check the producer side. */
export interface Probe {
  producers: Map<string, { written: number; stopped: boolean; aborted: boolean }>;
  slowAborted: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function testHandlers(probe: Probe): Handlers {
  return {
    "agent.hello": async (params, ctx) => {
      assertCompatibleVersion(params.protocolVersion, "control plane");
      return { ...hello, protocolVersion: ctx.protocolVersion ?? protocolVersion };
    },
    "run.inspect": async ({ runId }, ctx) => {
      if (runId === "missing") throw new RpcError(rpcErrorCodes.runNotFound, `Run ${runId} is not on this host.`);
      if (runId === "boom") throw new Error("disk on fire");
      if (runId === "bad-result") return { runId } as never;
      if (runId.startsWith("slow")) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, 5_000);
          ctx.signal.addEventListener("abort", () => (clearTimeout(timer), probe.slowAborted++, resolve()), { once: true });
        });
      }
      if (runId.startsWith("jitter")) await sleep(Math.random() * 5);
      return agentRun(runId);
    },
    // `run.logs` produces `tail` lines (default 100), or without end when following; 64 KiB lines when runId starts with "big".
    "run.logs": async ({ runId, follow, tail }, ctx) => {
      const state = { written: 0, stopped: false, aborted: false };
      probe.producers.set(runId, state);
      let bytes = 0;
      try {
        for (let i = 0; follow ? !ctx.signal.aborted : i < (tail ?? 100); i++) {
          const data = runId.startsWith("big") ? Buffer.alloc(64 * 1024, i % 256) : Buffer.from(`${runId} line ${i}\n`);
          await ctx.write({ fd: i % 2 ? "stderr" : "stdout", data });
          state.written += data.length;
          bytes += data.length;
          if (follow) await sleep(2);
        }
      } finally {
        state.stopped = true;
        state.aborted = ctx.signal.aborted;
      }
      return { bytes };
    },
    "run.exec": async ({ command }, ctx) => {
      const text = command.join(" ");
      await ctx.write({ fd: "stdout", data: Buffer.from(text) });
      return { exitCode: 0, stdout: text, stderr: "" };
    },
  };
}

export function newProbe(): Probe {
  return { producers: new Map(), slowAborted: 0 };
}

export async function until(check: () => boolean, timeoutMs = 2_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await sleep(5);
  }
}
