import type Docker from "dockerode";
import { ImagePullError } from "../../errors";
import { parseImageReference, qualifiedImageReference, repoDigestFor } from "../../image-reference";
import type { PullOptions, PullResult } from "../../types";
import { engineMessage } from "./engine-errors";
import { inspectImage } from "./images";
import { classifyPullFailure, cleanEngineMessage } from "../../pull-errors";

interface PullEvent {
  status?: string;
  id?: string;
  error?: string;
  errorDetail?: { message?: string };
  progressDetail?: { current?: number; total?: number };
}

/**
 * engine.pull + followProgress, with progress summed over layers. Podman's compat API reports a
 * failed pull as an error event inside a 200 stream (and no byte counts), Docker as an HTTP error,
 * so both are looked for. The reference is qualified first (see qualifiedImageReference).
 */
export async function pullImage(engine: Docker, reference: string, options: PullOptions = {}): Promise<PullResult> {
  const qualified = qualifiedImageReference(reference);
  const { registry, digest: pinned } = parseImageReference(qualified);
  const fail = (detail: string): never => {
    throw new ImagePullError(reference, registry, classifyPullFailure(detail), cleanEngineMessage(detail));
  };
  const before = await inspectImage(engine, qualified).catch(() => null);
  const layers = new Map<string, { done: number; total: number }>();
  const report = () => {
    let bytesDone = 0;
    let bytesTotal = 0;
    for (const layer of layers.values()) {
      bytesDone += layer.done;
      bytesTotal += layer.total;
    }
    options.onProgress?.({ bytesDone, bytesTotal });
  };
  // The engine wants an X-Registry-Auth header even for an anonymous pull.
  const authconfig = { ...(options.auth ? { username: options.auth.username, password: options.auth.password } : {}), serveraddress: registry };
  let stream: NodeJS.ReadableStream;
  try {
    // A digest pins the content: the tag beside it means nothing to the registry (and confuses dockerode's parser).
    const pullable = pinned ? `${registry}/${parseImageReference(qualified).repository}@${pinned}` : qualified;
    stream = await engine.pull(pullable, { authconfig, ...(options.signal ? { abortSignal: options.signal } : {}) });
  } catch (error) {
    return fail(engineMessage(error));
  }
  const abort = () => (stream as NodeJS.ReadableStream & { destroy?: (error?: Error) => void }).destroy?.(new Error("The pull was cancelled"));
  options.signal?.addEventListener("abort", abort, { once: true });
  let streamError: string | null = null;
  try {
    await new Promise<void>((resolve, reject) =>
      engine.modem.followProgress(
        stream,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: PullEvent) => {
          const message = event.errorDetail?.message ?? event.error;
          if (message) streamError ??= message;
          if (!event.id) return;
          if (event.status === "Downloading" && event.progressDetail?.total) {
            layers.set(event.id, { done: event.progressDetail.current ?? 0, total: event.progressDetail.total });
            report();
          } else if (event.status === "Download complete" && layers.has(event.id)) {
            const layer = layers.get(event.id);
            if (layer) layer.done = layer.total;
            report();
          }
        },
      ),
    );
  } catch (error) {
    if (options.signal?.aborted) throw new ImagePullError(reference, registry, "other", "the pull was cancelled");
    fail(engineMessage(error));
  } finally {
    options.signal?.removeEventListener("abort", abort);
  }
  if (streamError) fail(streamError);
  const after = await inspectImage(engine, qualified);
  if (!after) return fail(`the engine reported the pull done but has no image ${qualified}`);
  const bytes = [...layers.values()].reduce((sum, layer) => sum + layer.total, 0);
  const fetched = before?.id !== after.id;
  return { reference: qualified, digest: pinned ?? repoDigestFor(after, qualified), bytes: fetched ? bytes || after.sizeBytes : bytes, fetched };
}
