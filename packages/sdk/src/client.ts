import createClient, { type Client, type Middleware } from "openapi-fetch";
import { BaileyApiError, errorFromResponse, unreachable } from "./errors";
import type { components, operations, paths } from "./generated/openapi";

export interface BaileyClientOptions {
  /** Where Bailey is, e.g. https://bailey.example.com (with or without /api/v1). */
  url: string;
  /** An API token (bly_...) from Settings → API tokens. */
  token: string;
  /** For tests and proxies; the global fetch by default. */
  fetch?: typeof fetch;
}

type JsonOf<T> = T extends { content: { "application/json": infer Body } } ? Body : never;
type Ok<Operation extends keyof operations> = operations[Operation] extends { responses: { 200: infer R } }
  ? JsonOf<R>
  : operations[Operation] extends { responses: { 201: infer R } }
    ? JsonOf<R>
    : never;

export type Run = Ok<"runs-get">["run"];
export type RunSummary = Ok<"runs-list">["runs"][number];
export type RunState = Run["state"];
export type RunSpec = NonNullable<operations["runs-create"]["requestBody"]>["content"]["application/json"];
export type CreatedRun = Ok<"runs-create">;
export type Host = Ok<"hosts-list">["hosts"][number];
export type AuditVerification = Ok<"audit-verify">;
export type Overview = Ok<"overview-get">;
export type WarmPool = Ok<"pools-list">["pools"][number];
export type CreateWarmPool = NonNullable<operations["pools-create"]["requestBody"]>["content"]["application/json"];
export type ApiError = components["schemas"]["Error"];
export type ListRunsQuery = NonNullable<operations["runs-list"]["parameters"]["query"]>;

/** States a run never leaves. */
export const finalRunStates: readonly RunState[] = ["succeeded", "failed", "cancelled", "lost", "timed_out"];
export const isFinalRunState = (state: RunState): boolean => finalRunStates.includes(state);

/** Accepts https://host, https://host/ and https://host/api/v1. */
export function apiBase(url: string): string {
  return `${url.replace(/\/+$/, "").replace(/\/api\/v1$/, "")}/api/v1`;
}

/** openapi-fetch hands errors back as values; every call here throws them as BaileyApiError instead. */
const throwOnError: Middleware = {
  async onResponse({ response }) {
    if (!response.ok) throw await errorFromResponse(response);
    return undefined;
  },
};

/**
 * The typed client: `api` is openapi-fetch over every operation in the OpenAPI document
 * (types generated into ./generated/openapi.ts); the methods are the common ones, unwrapped.
 */
export class BaileyClient {
  readonly api: Client<paths>;
  readonly baseUrl: string;
  readonly token: string;
  private readonly fetchImpl: typeof fetch;

  constructor(options: BaileyClientOptions) {
    this.baseUrl = apiBase(options.url);
    this.token = options.token;
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    const fetchImpl = this.fetchImpl;
    const baseUrl = this.baseUrl;
    this.api = createClient<paths>({
      baseUrl,
      headers: { authorization: `Bearer ${options.token}` },
      fetch: async (request: Request) => {
        try {
          return await fetchImpl(request);
        } catch (error) {
          throw unreachable(baseUrl, error);
        }
      },
    });
    this.api.use(throwOnError);
  }

  listRuns(query: ListRunsQuery = {}) {
    return this.data(this.api.GET("/runs", { params: { query } }));
  }

  async getRun(id: string): Promise<Run> {
    return (await this.data(this.api.GET("/runs/{id}", { params: { path: { id } } }))).run;
  }

  createRun(spec: RunSpec, options: { idempotencyKey?: string } = {}) {
    const header = options.idempotencyKey ? { "idempotency-key": options.idempotencyKey } : {};
    return this.data(this.api.POST("/runs", { params: { header }, body: spec }));
  }

  /** A run from YAML text: Bailey's own fields, or a moat.yaml (fields Bailey ignores come back in `ignored`). */
  createRunFromYaml(yaml: string, options: { idempotencyKey?: string } = {}): Promise<CreatedRun> {
    const headers: Record<string, string> = { "content-type": "application/yaml" };
    if (options.idempotencyKey) headers["idempotency-key"] = options.idempotencyKey;
    return this.data(this.api.POST("/runs", { body: yaml as unknown as RunSpec, bodySerializer: (body) => body as unknown as string, headers }));
  }

  async stopRun(id: string, graceSeconds?: number): Promise<Run> {
    return (await this.data(this.api.POST("/runs/{id}/stop", { params: { path: { id } }, body: graceSeconds === undefined ? {} : { graceSeconds } }))).run;
  }

  destroyRun(id: string) {
    return this.data(this.api.DELETE("/runs/{id}", { params: { path: { id } } }));
  }

  async listHosts(): Promise<Host[]> {
    return (await this.data(this.api.GET("/hosts"))).hosts;
  }

  /** The team's runs per hour by final state, queue depth, start latency, failures by host and host load, over the last hours (24 by default). */
  overview(hours?: number): Promise<Overview> {
    return this.data(this.api.GET("/overview", { params: { query: hours === undefined ? {} : { hours } } }));
  }

  /** The team's warm pools (or one host's) with what each host last reported: idle, starting, last error. */
  async listPools(hostId?: string): Promise<WarmPool[]> {
    return (await this.data(this.api.GET("/pools", { params: { query: hostId ? { hostId } : {} } }))).pools;
  }

  /** Keeps `size` containers of an image started ahead on a host (admins); runs of that image, sandbox and resources then start warm. */
  async createPool(pool: CreateWarmPool): Promise<WarmPool> {
    return (await this.data(this.api.POST("/pools", { body: pool }))).pool;
  }

  async deletePool(id: string): Promise<WarmPool> {
    return (await this.data(this.api.DELETE("/pools/{id}", { params: { path: { id } } }))).pool;
  }

  verifyAudit(): Promise<AuditVerification> {
    return this.data(this.api.GET("/audit/verify"));
  }

  /**
   * The run's output as a byte stream; with follow it stays open until the run ends, and for a run
   * not started yet the answer waits (up to 5 minutes) until it starts. Without follow such a run
   * answers CONFLICT (409): wait for it to leave `queued`/`scheduled`/`provisioning` (getRun).
   */
  async logs(id: string, options: { follow?: boolean; signal?: AbortSignal } = {}): Promise<ReadableStream<Uint8Array>> {
    const { data } = await this.api.GET("/runs/{id}/logs", {
      params: { path: { id }, query: options.follow ? { follow: true } : {} },
      parseAs: "stream",
      ...(options.signal ? { signal: options.signal } : {}),
    });
    if (!data) throw new BaileyApiError("Bailey answered the log request without a body.", 502, "INTERNAL");
    return data;
  }

  private async data<T>(call: Promise<{ data?: T; response: Response }>): Promise<T> {
    const { data, response } = await call;
    // throwOnError has thrown for every non-2xx status already.
    if (data === undefined) throw new BaileyApiError(`Bailey answered HTTP ${response.status} without a body.`, response.status, "INTERNAL");
    return data;
  }
}

export function createBaileyClient(options: BaileyClientOptions): BaileyClient {
  return new BaileyClient(options);
}
