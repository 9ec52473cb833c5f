import { AppError } from "@bailey/core";

/** The largest body any endpoint reads, REST or tRPC; a larger one is 413 before it is read. */
export const maxBodyBytes = 1024 * 1024;

const tooLarge = () => new AppError("PAYLOAD_TOO_LARGE", `The body is larger than ${maxBodyBytes} bytes (1 MiB); send a smaller one.`);

/** Refuses a body declared over the limit, before authentication or parsing. */
export function assertDeclaredSizeAllowed(request: Request): void {
  if (Number(request.headers.get("content-length") ?? "0") > maxBodyBytes) throw tooLarge();
}

/** The body's bytes, at most 1 MiB: a larger one (declared or streamed) is 413 without reading the rest. */
export async function readBodyBytes(request: Request): Promise<Uint8Array> {
  assertDeclaredSizeAllowed(request);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.length;
    if (size > maxBodyBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A JSON body (empty means no fields); malformed JSON is 400. */
export function parseJsonBody(bytes: Uint8Array): unknown {
  const text = Buffer.from(bytes).toString("utf8");
  if (text.trim() === "") return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError("BAD_REQUEST", "The body is not valid JSON; send a JSON object with Content-Type: application/json.");
  }
}
