import type { AgentConnection } from "@bailey/agent-client";
import { maxBuildContextChunkBytes } from "@bailey/protocol";

const putTimeoutMs = 120_000;

/**
 * Puts a build context on a run's host in chunks, resuming from what the host already holds:
 * the first call (offset 0, no data) asks how far it got, so a retried dispatch sends only the
 * rest, and nothing at all for a context the host has complete.
 */
export async function putBuildContextOnHost(agent: Pick<AgentConnection, "request">, sha256: string, bytes: Uint8Array): Promise<{ sentBytes: number }> {
  const sizeBytes = bytes.length;
  let state = await agent.request("build.context.put", { sha256, sizeBytes, offset: 0, data: "" }, { timeoutMs: putTimeoutMs });
  let sentBytes = 0;
  while (!state.complete) {
    const offset = state.receivedBytes;
    const chunk = bytes.subarray(offset, offset + maxBuildContextChunkBytes);
    if (offset < 0 || offset >= sizeBytes || chunk.length === 0)
      throw new Error(
        `The host says it holds ${offset} of the build context's ${sizeBytes} bytes but not all of it; its agent's build context store is inconsistent: restart the agent on that host and retry the run.`,
      );
    const next = await agent.request("build.context.put", { sha256, sizeBytes, offset, data: Buffer.from(chunk).toString("base64") }, { timeoutMs: putTimeoutMs });
    if (!next.complete && next.receivedBytes <= offset)
      throw new Error(`The host took none of the build context's bytes at offset ${offset} (it holds ${next.receivedBytes}); check the agent's disk space on that host and retry the run.`);
    sentBytes += chunk.length;
    state = next;
  }
  return { sentBytes };
}
