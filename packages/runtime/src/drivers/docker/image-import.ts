import type Docker from "dockerode";
import type { ImageImportOptions } from "../../types";
import { engineMessage } from "./engine-errors";
import { inspectImage } from "./images";

interface ImportEvent {
  status?: string;
  error?: string;
  errorDetail?: { message?: string };
}

/**
 * `POST /images/create?fromSrc=-`: a root filesystem tarball becomes a one-layer image under
 * `reference` (`docker import` / `podman import`). The whole reference goes in `repo`: Podman 4.3
 * ignores the `tag` parameter (it tagged `latest`), and Docker reads a tag in `repo`. Either may
 * report a failure as an error event inside a 200 stream, so the events are read to the end and
 * the image looked up before this says it is there.
 */
export async function importImage(engine: Docker, tarball: NodeJS.ReadableStream, reference: string, options: ImageImportOptions = {}): Promise<void> {
  checkImportable(reference);
  const changes = [
    ...Object.entries(options.env ?? {}).map(([key, value]) => `ENV ${checked("env name", key, envName)}="${checked(`value of ${key}`, value, plainValue)}"`),
    ...Object.entries(options.labels ?? {}).map(([key, value]) => `LABEL ${checked("label", key, labelKey)}="${checked(`value of ${key}`, value, plainValue)}"`),
  ];
  const existed = (await inspectImage(engine, reference)) !== null;
  const fail = async (detail: string): Promise<never> => {
    // A half-read tarball must not stay tagged as the image: the next caller would run it.
    if (!existed)
      await engine
        .getImage(reference)
        .remove({ force: true })
        .catch(() => undefined);
    throw new Error(`Could not import the image ${reference}: ${detail}`);
  };
  // A tarball that fails half-way would leave the engine waiting for the rest: end the request.
  const abort = new AbortController();
  let tarballError: Error | null = null;
  const onTarballError = (error: Error) => {
    tarballError ??= error;
    abort.abort(error);
  };
  tarball.once("error", onTarballError);
  let streamError: string | null = null;
  try {
    const progress = (await engine.importImage(tarball, { repo: reference, ...(changes.length > 0 ? { changes } : {}), abortSignal: abort.signal })) as NodeJS.ReadableStream;
    await new Promise<void>((resolve, reject) =>
      engine.modem.followProgress(
        progress,
        (error: Error | null) => (error ? reject(error) : resolve()),
        (event: ImportEvent) => {
          streamError ??= event.errorDetail?.message ?? event.error ?? null;
        },
      ),
    );
  } catch (error) {
    // The engine may have stopped reading early: nothing else will drain or close the tarball.
    (tarball as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    await fail(tarballError ? `reading the tarball failed: ${(tarballError as Error).message}` : engineMessage(error));
  } finally {
    tarball.removeListener("error", onTarballError);
  }
  if (tarballError) await fail(`reading the tarball failed: ${(tarballError as Error).message}`);
  if (streamError) await fail(streamError);
  if (!(await inspectImage(engine, reference))) await fail("the engine reported the import done but has no image by that name");
}

// The changes are Dockerfile lines, which the engines read differently: Docker expands `$NAME` and
// unescapes `\"`, Podman keeps both as written. Only what both read alike is let through.
const envName = /^[A-Za-z_][A-Za-z0-9_]*$/;
const labelKey = /^[A-Za-z0-9][A-Za-z0-9._/-]*$/;
const plainValue = /^[^"\\$\r\n]*$/;

function checked(what: string, text: string, pattern: RegExp): string {
  if (!pattern.test(text))
    throw new Error(`Cannot import an image with the ${what} ${JSON.stringify(text)}: it must match ${pattern} (Docker and Podman read quotes, backslashes and $ in it differently).`);
  return text;
}

function checkImportable(reference: string): void {
  if (reference.includes("@")) throw new Error(`Cannot import an image as ${reference}: name it with a tag (repo:tag), not a digest.`);
}
