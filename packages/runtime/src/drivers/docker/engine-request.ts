import type Docker from "dockerode";

/**
 * A call dockerode has no method for (or answers in the wrong shape): a stream where it would
 * buffer, or Podman's own libpod API. Resolves with the parsed JSON body, or the stream when
 * `isStream` is set; rejects with the modem's error, which carries the HTTP status.
 */
export function engineRequest<T>(engine: Docker, request: { path: string; isStream?: boolean; options?: Record<string, unknown>; notFound: string }): Promise<T> {
  return new Promise<T>((resolve, reject) =>
    engine.modem.dial(
      { path: request.path, method: "GET", isStream: request.isStream ?? false, statusCodes: { 200: true, 404: request.notFound, 500: "server error" }, options: request.options ?? {} },
      (error: unknown, result: unknown) => (error ? reject(error) : resolve(result as T)),
    ),
  );
}
