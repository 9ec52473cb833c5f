import fc from "fast-check";
import { restOperations, type RestOperation } from "../../fixtures/rest-operations";
import { expect, test } from "../../fixtures/test";

// 1000 by default, not the tRPC fuzz's 2000: the same procedures are fuzzed there, and this spec's time is the browser
// stage's. About 3 s per operation here since its checks stopped being an expect() per request (see `failures`).
const runsPerOperation = Number(process.env.BAILEY_FUZZ_RUNS ?? 1000);
const concurrency = 8;
// Printed with every failure, so a failing input can be generated again: BAILEY_FUZZ_SEED=<seed>.
const seed = Number(process.env.BAILEY_FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));

/** Valid-looking bodies to mutate, per POST route. */
const seeds: Record<string, unknown> = {
  "/api/v1/runs": { image: "bailey-test/busybox:latest", command: ["true"], env: { A: "1" }, resources: { memory: "64m" }, placement: { labels: { a: "b" } } },
  "/api/v1/hosts": { name: "fuzz", address: "127.0.0.1", sshPort: 1, hostKeyFingerprint: `SHA256:${"A".repeat(43)}`, labels: { a: "b" } },
  "/api/v1/hosts/enrollments": { name: "fuzz", labels: { a: "b" }, capacityRuns: 2, expiresInMinutes: 10 },
  "/api/v1/hosts/enroll": { token: `blye_${"a".repeat(43)}`, address: "127.0.0.1", sshPort: 22, hostKeyFingerprint: `SHA256:${"A".repeat(43)}` },
};
const queryNames = ["state", "limit", "cursor", "host", "creator", "q", "follow", "graceSeconds", "since", "until", "beforeSeq", "action", "actor", "run"];
const nasty = fc.constantFrom<unknown>("../../etc/passwd", "$(reboot)", "`id`", "a\u0000b", "' OR 1=1 --", "__proto__", "x".repeat(20_000), "\u202e", -1, 2 ** 53, null, [], {}, true);
const value = fc.oneof(fc.jsonValue({ maxDepth: 3 }), nasty, fc.string({ maxLength: 200 }));
const yamlBomb = ["a: &a [x,x,x,x,x,x,x,x,x]", "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]", "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]", "d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]", "image: x"].join("\n");

function mutatedBody(seed: unknown) {
  const keys = seed && typeof seed === "object" ? Object.keys(seed) : [];
  if (!keys.length) return value;
  return fc.oneof(
    value,
    fc.record({ key: fc.constantFrom(...keys), replacement: value }).map(({ key, replacement }) => ({ ...(seed as object), [key]: replacement })),
    fc.record({ key: fc.string({ maxLength: 20 }), extra: value }).map(({ key, extra }) => ({ ...(seed as object), [key]: extra })),
  );
}

type Request = { url: string; method: string; headers: Record<string, string>; body?: string | Uint8Array<ArrayBuffer>; expect413?: boolean };

/** Operations whose body is a file (rest/uploads.ts), not JSON: fuzzed with bytes, some shaped like a tar or gzip. */
const uploads = new Set(["/api/v1/build-contexts"]);
const uploadTypes = fc.constantFrom("application/x-tar", "application/gzip", "application/x-gzip", "application/json", "");
const uploadBody = fc.oneof(
  fc.uint8Array({ maxLength: 4096 }),
  // gzip's magic number, then noise: passes the first check, not a real stream.
  fc.uint8Array({ minLength: 16, maxLength: 2048 }).map((bytes) => Uint8Array.from([0x1f, 0x8b, ...bytes])),
  // A tar header whose checksum field is noise.
  fc.uint8Array({ minLength: 512, maxLength: 1024 }),
);

/** One generated request: a malformed id in the path, stray query parameters, a broken body. */
function requests(op: RestOperation, token: string) {
  const id = fc.oneof(fc.constant("not-a-run"), fc.string({ maxLength: 80 }), nasty.map(String), fc.constant("x".repeat(5000)));
  const query = fc.dictionary(fc.constantFrom(...queryNames), fc.oneof(fc.string({ maxLength: 50 }), nasty.map(String)), { maxKeys: 3 });
  const body = fc.oneof(
    { weight: 6, arbitrary: mutatedBody(seeds[op.path]).map((json) => ({ text: JSON.stringify(json) ?? "null", type: "application/json" })) },
    { weight: 2, arbitrary: fc.string({ maxLength: 500 }).map((text) => ({ text, type: "application/json" })) },
    { weight: 1, arbitrary: fc.oneof(fc.string({ maxLength: 500 }), fc.constant(yamlBomb)).map((text) => ({ text, type: "application/yaml" })) },
    { weight: 1, arbitrary: fc.constant({ text: JSON.stringify({ image: "x".repeat(1536 * 1024) }), type: "application/json", oversized: true }) },
  );
  return fc.record({ id, query, body, fileType: uploadTypes, fileBytes: uploadBody }).map(({ id: pathId, query: params, body: payload, fileType, fileBytes }): Request => {
    // An oversized body goes to the route itself: a generated id such as "." would make the
    // URL resolve to another route (405/404 before any body is looked at).
    const path = op.path.replace("not-a-run", "oversized" in payload ? "not-a-run" : encodeURIComponent(pathId) || "x");
    const search = new URLSearchParams(params as Record<string, string>).toString();
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (op.method !== "POST") return { url: `${path}${search ? `?${search}` : ""}`, method: op.method, headers };
    if (uploads.has(op.path)) return { url: path, method: "POST", headers: { ...headers, "content-type": fileType }, body: new Uint8Array(fileBytes) };
    // Never let a generated host address make Bailey dial something slow: a closed loopback port.
    let text = payload.text;
    if (op.path === "/api/v1/hosts") {
      try {
        const parsed = JSON.parse(text);
        if (parsed && typeof parsed === "object") text = JSON.stringify({ ...parsed, address: "127.0.0.1", sshPort: 1 });
      } catch {
        // not JSON: sent as it is
      }
    }
    return { url: path, method: "POST", headers: { ...headers, "content-type": payload.type }, body: text, expect413: "oversized" in payload };
  });
}

test(`hostile input: ${runsPerOperation} generated requests per REST operation, never a 5xx`, async () => {
  // About 3 minutes here for ~60 operations; a busy machine is given five times that.
  test.setTimeout(900_000);
  const token = process.env.BAILEY_E2E_FUZZ_TOKEN;
  if (!token) throw new Error("BAILEY_E2E_FUZZ_TOKEN is unset: run through `npm test`.");
  const base = process.env.BAILEY_E2E_BASE_URL!;
  const statuses = new Map<string, Map<number, number>>();
  // Collected, then asserted once: an expect() per request made Playwright's step bookkeeping
  // (a scan of every earlier step per call) the spec's bottleneck, three quarters of its CPU.
  const failures: string[] = [];
  for (const op of restOperations()) {
    const samples = fc.sample(requests(op, token), { numRuns: runsPerOperation, seed });
    const seen = new Map<number, number>();
    for (let i = 0; i < samples.length; i += concurrency) {
      await Promise.all(
        samples.slice(i, i + concurrency).map(async (request) => {
          const response = await fetch(`${base}${request.url}`, {
            method: request.method,
            headers: request.headers,
            ...(request.body !== undefined ? { body: request.body } : {}),
            signal: AbortSignal.timeout(30_000),
          });
          const text = await response.text();
          seen.set(response.status, (seen.get(response.status) ?? 0) + 1);
          if (response.status >= 500) {
            failures.push(
              `seed ${seed}: ${request.method} ${request.url.slice(0, 200)} ${typeof request.body === "string" ? request.body.slice(0, 200) : `${request.body?.length ?? 0} bytes`} → ${response.status} ${text.slice(0, 300)}`,
            );
          } else if (request.expect413 && response.status !== 413) {
            failures.push(`seed ${seed}: ${request.method} ${request.url} with an oversized body → ${response.status}, not 413`);
          }
        }),
      );
    }
    statuses.set(`${op.method} ${op.path}`, seen);
    expect(failures, `never a 5xx, and 413 for every oversized body (${op.method} ${op.path} and before)`).toEqual([]);
  }
  console.log(`[hostile REST] ${JSON.stringify([...statuses].map(([op, seen]) => [op, Object.fromEntries(seen)]))}`);
  expect(statuses.size).toBe(restOperations().length);
  // The server is still healthy afterwards.
  expect((await fetch(`${base}/api/health`)).status).toBe(200);
});
