import { createHash } from "node:crypto";
import { RpcError, rpcErrorCodes, type PullPolicy, type RegistryAuth } from "@bailey/protocol";
import { ImagePullError, type ImagePullFailureReason, parseImageReference, type PullProgress, type PullResult, qualifiedImageReference, repoDigestFor, type Runtime } from "@bailey/runtime";
import type { Journal } from "../journal/journal";

export interface ImagePullerOptions {
  runtime: Runtime;
  journal: Journal;
  /** BAILEY_PULL_TIMEOUT: a pull still going after this is abandoned (and fails reason other). */
  pullTimeoutMs: number;
  /** At most one image.pull_progress per waiter in this interval. */
  progressIntervalMs?: number;
  log?: (line: string) => void;
}

export interface EnsureImageRequest {
  image: string;
  policy: PullPolicy;
  /** For this pull only: used when it is for the image's registry, never stored, journaled or logged. */
  auth?: RegistryAuth;
  /** The run waiting for it; absent for a pre-pull. */
  runId?: string;
}

export interface EnsuredImage {
  /** The name to create containers from: the one the engine has it under. */
  reference: string;
  digest: string | null;
  /** Whether a pull went to the registry for it. */
  pulled: boolean;
}

interface Flight {
  result: Promise<PullResult>;
  listeners: Set<(progress: PullProgress) => void>;
}

/**
 * Every image a run or pre-pull needs goes through here: the pull policy is applied, and
 * concurrent requests for the same image (with the same credentials) share one engine pull.
 */
export class ImagePuller {
  private readonly flights = new Map<string, Flight>();

  constructor(private readonly options: ImagePullerOptions) {}

  async ensure(request: EnsureImageRequest): Promise<EnsuredImage> {
    const { runtime } = this.options;
    const { image, policy, runId } = request;
    const registry = parseImageReference(image).registry;
    if (policy !== "always") {
      const local = (await runtime.inspectImage(image)) ?? (await runtime.inspectImage(qualifiedImageReference(image)));
      if (local) {
        // Nothing went to a registry, so nothing is journaled (a run's events start with network.created as before).
        return { reference: image, digest: repoDigestFor(local, image) ?? parseImageReference(image).digest, pulled: false };
      }
      if (policy === "never") {
        throw await this.failed(request, new ImagePullError(image, registry, "never", "the image is not on this host and the run's pullPolicy is never"));
      }
    }
    const auth = request.auth && sameRegistry(request.auth.registry, registry) ? request.auth : undefined;
    const key = `${qualifiedImageReference(image)}\u0000${auth ? createHash("sha256").update(`${auth.username}\u0000${auth.password}`).digest("hex") : ""}`;
    const shared = this.flights.has(key);
    const flight = this.flights.get(key) ?? this.startFlight(key, image, auth);
    const startedAt = Date.now();
    await this.journal("image.pull_started", runId, { image, registry, ...(shared ? { shared: true } : {}) });
    const listener = this.throttled(image, runId);
    flight.listeners.add(listener);
    try {
      const result = await flight.result;
      await this.journal("image.pulled", runId, { image, digest: result.digest, bytes: result.bytes, durationMs: Date.now() - startedAt, cached: !result.fetched });
      return { reference: result.reference, digest: result.digest, pulled: true };
    } catch (error) {
      throw await this.failed(request, error, auth?.password);
    } finally {
      flight.listeners.delete(listener);
    }
  }

  private startFlight(key: string, image: string, auth: RegistryAuth | undefined): Flight {
    const listeners = new Set<(progress: PullProgress) => void>();
    const signal = AbortSignal.timeout(this.options.pullTimeoutMs);
    const result = this.options.runtime
      .pullImage(image, {
        ...(auth ? { auth: { username: auth.username, password: auth.password } } : {}),
        signal,
        onProgress: (progress) => {
          for (const listener of listeners) listener(progress);
        },
      })
      .catch((error: unknown) => {
        if (signal.aborted) {
          const seconds = this.options.pullTimeoutMs / 1000;
          throw new ImagePullError(image, parseImageReference(image).registry, "other", `the pull took longer than ${seconds} s (BAILEY_PULL_TIMEOUT on the host)`);
        }
        throw error;
      })
      .finally(() => this.flights.delete(key));
    // Waiters attach after journaling pull_started; a quick failure must not count as unhandled meanwhile.
    result.catch(() => undefined);
    const flight = { result, listeners };
    this.flights.set(key, flight);
    return flight;
  }

  private throttled(image: string, runId: string | undefined): (progress: PullProgress) => void {
    const interval = this.options.progressIntervalMs ?? 1000;
    let last = 0;
    return (progress) => {
      const now = Date.now();
      if (now - last < interval) return;
      last = now;
      void this.journal("image.pull_progress", runId, { image, bytesDone: progress.bytesDone, bytesTotal: progress.bytesTotal }).catch(() => undefined);
    };
  }

  /** Journals the failure and turns it into the RPC error the control plane acts on. */
  private async failed(request: EnsureImageRequest, error: unknown, password?: string): Promise<RpcError> {
    const registry = parseImageReference(request.image).registry;
    const reason: ImagePullFailureReason = error instanceof ImagePullError ? error.reason : "other";
    let message = error instanceof ImagePullError ? error.message : `Could not pull ${request.image} from ${registry}: ${(error as Error).message}`;
    // Engines do not echo credentials; this makes sure a future one that does cannot leak them.
    if (password) message = message.split(password).join("***");
    await this.journal("image.pull_failed", request.runId, { image: request.image, registry, reason, message });
    this.options.log?.(message);
    return new RpcError(rpcErrorCodes.imagePullFailed, message, { image: request.image, registry, reason });
  }

  private async journal(type: "image.pull_started" | "image.pull_progress" | "image.pulled" | "image.pull_failed", runId: string | undefined, data: Record<string, unknown>): Promise<void> {
    await this.options.journal.append({ type, ...(runId ? { runId } : {}), data });
  }
}

function sameRegistry(a: string, b: string): boolean {
  return (
    parseImageReference(
      `${a
        .trim()
        .replace(/^https?:\/\//, "")
        .replace(/\/+$/, "")}/x`,
    ).registry === b
  );
}
