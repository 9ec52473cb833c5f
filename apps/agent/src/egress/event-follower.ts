import { StringDecoder } from "node:string_decoder";
import { agentEventData } from "@bailey/protocol";
import type { Runtime } from "@bailey/runtime";

// The proxy writes its events as JSON lines on stdout (events.ts); the agent follows that log
// for the proxy's whole life. Only lines that are well-formed egress.allowed / egress.denied
// events become journal events, and only with the fields the protocol names: anything else the
// proxy prints (or a line cut at the length cap) is dropped.

export type RunEgressEvent =
  | { type: "egress.allowed"; data: { host: string; port: number; via: string; bytesIn: number; bytesOut: number } }
  | { type: "egress.denied"; data: { host: string; port: number; reason: string } };

/** A line longer than this is not one the proxy wrote (its events are a few hundred bytes). */
const maxLineBytes = 16 * 1024;

/** The event a stdout line holds, or null (not JSON, another type, or not the documented shape). */
export function parseEgressEventLine(line: string): RunEgressEvent | { type: "egress.listening" } | null {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof raw !== "object" || raw === null) return null;
  const { type, ...data } = raw as { type?: unknown };
  if (type === "egress.listening") return { type };
  if (type === "egress.allowed") {
    const parsed = agentEventData["egress.allowed"].safeParse(data);
    if (!parsed.success) return null;
    const { host, port, via, bytesIn, bytesOut } = parsed.data;
    return { type, data: { host, port, via, bytesIn, bytesOut } };
  }
  if (type === "egress.denied") {
    const parsed = agentEventData["egress.denied"].safeParse(data);
    if (!parsed.success) return null;
    const { host, port, reason } = parsed.data;
    return { type, data: { host, port, reason } };
  }
  return null;
}

export interface FollowEgressEventsOptions {
  runtime: Runtime;
  containerId: string;
  /** Only lines logged at or after this time (an agent restart resumes from its last event). */
  since?: Date;
  /** Called in order, one at a time: the next line waits until it settles. */
  onEvent: (event: RunEgressEvent) => Promise<void>;
  log?: (line: string) => void;
}

export interface EgressEventFollower {
  /** Resolves at the proxy's `egress.listening` line; rejects when its log ends first (with the end of its stderr). */
  listening: Promise<void>;
  /** Settles when the log ends (the proxy stopped or was removed). */
  done: Promise<void>;
  stop(): void;
}

export async function followEgressEvents({ runtime, containerId, since, onEvent, log }: FollowEgressEventsOptions): Promise<EgressEventFollower> {
  const stream = await runtime.logs(containerId, { follow: true, ...(since ? { since } : {}) });
  let markListening: () => void = () => undefined;
  let failListening: (error: Error) => void = () => undefined;
  const listening = new Promise<void>((resolve, reject) => {
    markListening = resolve;
    failListening = reject;
  });
  // Nobody may wait for readiness (a resumed run); its rejection is then not an error.
  listening.catch(() => undefined);
  let stderrTail = "";
  const done = (async () => {
    const decoder = new StringDecoder("utf8");
    let pending = "";
    let skippingLongLine = false;
    try {
      for await (const chunk of stream) {
        if (chunk.stream === "stderr") {
          stderrTail = (stderrTail + chunk.data.toString("utf8")).slice(-2000);
          continue;
        }
        pending += decoder.write(chunk.data);
        let newline = pending.indexOf("\n");
        while (newline !== -1) {
          const line = pending.slice(0, newline);
          pending = pending.slice(newline + 1);
          if (skippingLongLine) skippingLongLine = false;
          else await handle(line);
          newline = pending.indexOf("\n");
        }
        if (pending.length > maxLineBytes) {
          pending = "";
          skippingLongLine = true;
        }
      }
    } catch (error) {
      log?.(`following the egress proxy ${containerId} ended: ${(error as Error).message}`);
    } finally {
      failListening(new Error(`the egress proxy stopped before it was listening${stderrTail.trim() ? `; its last words: ${stderrTail.trim().slice(-600)}` : ""}`));
    }
  })();
  async function handle(line: string): Promise<void> {
    const event = parseEgressEventLine(line);
    if (!event) return;
    if (event.type === "egress.listening") return markListening();
    await onEvent(event).catch((error: Error) => log?.(`journalling an egress event of ${containerId} failed: ${error.message}`));
  }
  return { listening, done, stop: () => stream.destroy() };
}
