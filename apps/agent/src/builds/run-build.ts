import { mkdtemp, readdir, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { maxBuildContextBytes, type RunBuild } from "@bailey/protocol";
import { type BuildResult, type Runtime, UnsupportedFeatureError } from "@bailey/runtime";
import type { NewJournalEvent } from "../journal/journal";
import type { BuildLogs } from "./build-log";
import { extractBuildContext } from "./context-extract";
import type { BuildContextStore } from "./context-store";

/** A run's image build failed: the run fails "during build" with this message (the build's own error). */
export class RunBuildError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RunBuildError";
  }
}

export interface BuildRunImageOptions {
  runtime: Runtime;
  runId: string;
  build: RunBuild;
  /** The tag to build: buildImageTag(runId). */
  image: string;
  contexts: BuildContextStore;
  logs: BuildLogs;
  /** Put on the image, so reconcile finds a built image whose run is gone. */
  labels: Record<string, string>;
  /** The run's BuildKit sidecar, tried first (docker:dind). */
  buildkitHost?: string;
  journal: (event: NewJournalEvent) => Promise<void>;
}

/** The longest build error a run's events and state carry; the whole output is in the run's logs. */
const maxErrorChars = 4000;

/**
 * Builds a run's image from its uploaded context (or inline Dockerfile) in a temporary
 * directory, journalling build.started, build.builder for each builder tried, and
 * build.finished or build.failed. A failed build leaves no image and no directory behind.
 */
export async function buildRunImage(options: BuildRunImageOptions): Promise<BuildResult & { durationMs: number }> {
  const { runtime, runId, build, image, contexts, logs, journal } = options;
  const builds = runtime.buildManager();
  if (!builds) throw new UnsupportedFeatureError("builds", runtime.type);
  const startedAt = Date.now();
  await journal({ type: "build.started", runId, data: { image, context: build.context ?? null } });
  const writeLog = logs.writer(runId);
  // Journalled in the order the builders are tried, after the build call returns or throws.
  let builderEvents = Promise.resolve();
  let dir: string | null = null;
  try {
    dir = await mkdtemp(path.join(tmpdir(), `bailey-build-${runId}-`));
    if (build.context) {
      const file = await contexts.pathOf(build.context);
      if (!file) {
        throw new RunBuildError(`Build context ${build.context} is not on this host (never put, or removed); put it with build.context.put before run.create.`);
      }
      const unpacked = await extractBuildContext(file, dir, 4 * maxBuildContextBytes);
      writeLog(`build context ${build.context}: ${unpacked.files} files, ${unpacked.bytes} bytes`);
    }
    let dockerfile = build.dockerfile ?? "Dockerfile";
    if (build.dockerfileInline) {
      dockerfile = "Dockerfile";
      await rm(path.join(dir, dockerfile), { recursive: true, force: true });
      await writeFile(path.join(dir, dockerfile), build.dockerfileInline, { mode: 0o600 });
    } else if (!(await stat(path.join(dir, dockerfile)).catch(() => null))?.isFile()) {
      throw new RunBuildError(`The build context has no file ${dockerfile}; name the Dockerfile with build.dockerfile, or give its text in build.dockerfileInline.`);
    }
    const result = await builds.buildImage({
      contextDir: dir,
      dockerfile,
      tag: image,
      buildArgs: build.args,
      labels: options.labels,
      ...(build.target ? { target: build.target } : {}),
      ...(options.buildkitHost ? { buildkitHost: options.buildkitHost } : {}),
      log: writeLog,
      onBuilder: (builder, reason) => {
        writeLog(`builder: ${builder} (${reason})`);
        builderEvents = builderEvents.then(() => journal({ type: "build.builder", runId, data: { image, builder, reason } }));
      },
    });
    await builderEvents;
    const durationMs = Date.now() - startedAt;
    writeLog(`built ${image} with ${result.builder} in ${durationMs} ms`);
    await journal({ type: "build.finished", runId, data: { image, builder: result.builder, durationMs } });
    return { ...result, durationMs };
  } catch (error) {
    await builderEvents.catch(() => undefined);
    const message = trimmed((error as Error).message);
    writeLog(`build failed: ${message}`);
    // A builder that failed after tagging (buildctl's load, say) leaves nothing behind either.
    await builds.removeImage?.(image).catch(() => undefined);
    await journal({ type: "build.failed", runId, data: { image, message } });
    throw error instanceof UnsupportedFeatureError ? error : new RunBuildError(message);
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true });
  }
}

/** The temporary directories of a run's build that an agent stopped mid-build left behind. */
export async function removeBuildTempDirs(runId: string): Promise<string[]> {
  const prefix = `bailey-build-${runId}-`;
  const left = (await readdir(tmpdir()).catch(() => [] as string[])).filter((name) => name.startsWith(prefix) && /^[A-Za-z0-9]{6}$/.test(name.slice(prefix.length)));
  for (const name of left) await rm(path.join(tmpdir(), name), { recursive: true, force: true });
  return left.map((name) => path.join(tmpdir(), name));
}

function trimmed(message: string): string {
  const lines = message.split("\n").filter((line) => line.trim());
  const text = lines.join("\n");
  return text.length > maxErrorChars ? `${text.slice(0, maxErrorChars)}…` : text;
}
