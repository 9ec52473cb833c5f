/** The API's error codes (AppError's, mapped to HTTP in packages/api): stable strings to branch on. */
export type BaileyErrorCode = "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PAYLOAD_TOO_LARGE" | "UNPROCESSABLE" | "UNAVAILABLE" | "INTERNAL";

export interface BaileyErrorField {
  field: string;
  message: string;
}

/**
 * A failed call: the API's own message (what happened and what to do), its code, the HTTP
 * status and, for bad input, one entry per field. Also thrown, with status 0 and code
 * UNAVAILABLE, when Bailey cannot be reached at all.
 */
export class BaileyApiError extends Error {
  override readonly name = "BaileyApiError";
  constructor(
    message: string,
    readonly status: number,
    readonly code: BaileyErrorCode | (string & {}),
    readonly fields: BaileyErrorField[] = [],
    /** Seconds the API asked to wait before retrying (503's Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

const statusCodes: Record<number, BaileyErrorCode> = {
  400: "BAD_REQUEST",
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  422: "UNPROCESSABLE",
  503: "UNAVAILABLE",
};

/** The BaileyApiError for a non-2xx response, from its `{ error: { code, message, details } }` body when it has one. */
export function errorFromBody(status: number, body: string, retryAfter?: string | null): BaileyApiError {
  let parsed: { error?: { code?: unknown; message?: unknown; details?: { fields?: unknown } } } | undefined;
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    parsed = undefined;
  }
  const error = parsed?.error;
  const code = typeof error?.code === "string" ? error.code : (statusCodes[status] ?? (status >= 500 ? "INTERNAL" : "BAD_REQUEST"));
  // A proxy's HTML error page or an empty body still says which status came back.
  const message = typeof error?.message === "string" ? error.message : `Bailey answered HTTP ${status}${body.trim() ? `: ${body.trim().slice(0, 200)}` : ""}`;
  const fields = Array.isArray(error?.details?.fields) ? (error.details.fields as BaileyErrorField[]) : [];
  const seconds = retryAfter ? Number(retryAfter) : Number.NaN;
  return new BaileyApiError(message, status, code, fields, Number.isFinite(seconds) ? seconds : undefined);
}

export async function errorFromResponse(response: Response): Promise<BaileyApiError> {
  return errorFromBody(response.status, await response.text().catch(() => ""), response.headers.get("retry-after"));
}

/** fetch's TypeError("fetch failed") says nothing; say where and why. */
export function unreachable(url: string, error: unknown): BaileyApiError {
  const cause = error instanceof Error ? ((error.cause as Error | undefined)?.message ?? error.message) : String(error);
  return new BaileyApiError(`Cannot reach Bailey at ${url} (${cause}). Check the URL (bailey login --url) and that Bailey is running.`, 0, "UNAVAILABLE");
}
