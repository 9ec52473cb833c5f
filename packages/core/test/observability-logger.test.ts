import assert from "node:assert/strict";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, it } from "node:test";
import { createLogger, lineLogger, logFormatFromEnv, parsePrometheusText, routePattern, runLogger, sampleValue, setLogger, withRequestContext } from "../src";

function capture(): { stream: Writable; lines: () => string[] } {
  const chunks: string[] = [];
  const stream = new Writable({ write: (chunk, _encoding, done) => (chunks.push(String(chunk)), done()) });
  return { stream, lines: () => chunks.join("").split("\n").filter(Boolean) };
}

describe("logger", () => {
  it("writes one JSON object per line, with the level's name, an ISO time and the bound run and host ids", () => {
    const out = capture();
    const logger = createLogger({ format: "json", destination: out.stream });
    logger.child({ runId: "run_abc", hostId: "host_1" }).error({ err: new Error("boom") }, "dispatching run run_abc failed");
    const [line, ...rest] = out.lines();
    assert.equal(rest.length, 0);
    const entry = JSON.parse(line as string) as Record<string, unknown>;
    assert.equal(entry.level, "error");
    assert.equal(entry.runId, "run_abc");
    assert.equal(entry.hostId, "host_1");
    assert.equal(entry.msg, "dispatching run run_abc failed");
    assert.ok(!Number.isNaN(Date.parse(entry.time as string)));
    assert.equal((entry.err as { message: string }).message, "boom");
  });

  it("lineLogger turns log(line) callers into entries, binding the context they give", () => {
    const out = capture();
    const log = lineLogger(createLogger({ format: "json", destination: out.stream }), "warn");
    log("exec session s1: started", { runId: "run_x" });
    log("no context");
    const [first, second] = out.lines().map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.deepEqual([first?.runId, first?.level, first?.msg], ["run_x", "warn", "exec session s1: started"]);
    assert.equal(second?.runId, undefined);
  });

  it("pretty is for people: not JSON, and keeps the run id visible", () => {
    const out = capture();
    createLogger({ format: "pretty", destination: out.stream }).child({ runId: "run_p" }).info("hello");
    const text = out.lines().join("\n");
    assert.throws(() => JSON.parse(text));
    assert.match(text, /INFO.*hello/);
    assert.match(text, /runId: "run_p"/);
  });

  it("BAILEY_LOG_FORMAT picks the format; unset means pretty in a terminal, JSON otherwise; anything else is refused", () => {
    assert.equal(logFormatFromEnv({}, true), "pretty");
    assert.equal(logFormatFromEnv({}, false), "json");
    assert.equal(logFormatFromEnv({ BAILEY_LOG_FORMAT: "json" }, true), "json");
    assert.equal(logFormatFromEnv({ BAILEY_LOG_FORMAT: "pretty" }, false), "pretty");
    assert.throws(() => logFormatFromEnv({ BAILEY_LOG_FORMAT: "xml" }, false), /BAILEY_LOG_FORMAT is "xml"; set it to "json" or "pretty"/);
  });
});

describe("request ids", () => {
  it("every line made while serving a request carries its id, deep in async code too; the response names it; a proxy's sane X-Request-Id is kept", async () => {
    const out = capture();
    setLogger(createLogger({ format: "json", destination: out.stream }));
    // As apps/web/launcher/web-server.ts serves: the context first, then whatever handles the request.
    const server = createServer((request, response) =>
      withRequestContext(request, response, () => {
        void (async () => {
          await sleep(5);
          runLogger("run_r", "host_r").info(`handled ${request.url}`);
          response.end("ok");
        })();
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const [one, two] = await Promise.all([fetch(`${url}/one`), fetch(`${url}/two`)]);
      const kept = await fetch(`${url}/kept`, { headers: { "X-Request-Id": "lb-7f3a.22" } });
      const replaced = await fetch(`${url}/replaced`, { headers: { "X-Request-Id": "bad id <script>alert(1)</script>" } });
      const ids = [one, two, kept, replaced].map((response) => response.headers.get("x-request-id"));
      assert.equal(ids[2], "lb-7f3a.22");
      assert.match(ids[3] ?? "", /^[0-9a-f-]{36}$/, "an id that is not a plain token is replaced, never echoed");
      assert.equal(new Set(ids).size, 4);
      const entries = out.lines().map((line) => JSON.parse(line) as Record<string, string>);
      for (const [index, path] of ["/one", "/two", "/kept", "/replaced"].entries()) {
        const entry = entries.find((candidate) => candidate.msg === `handled ${path}`);
        assert.deepEqual([entry?.requestId, entry?.runId, entry?.hostId], [ids[index], "run_r", "host_r"], path);
      }
      // Outside a request, no request id.
      runLogger("run_r").info("outside");
      assert.equal((JSON.parse(out.lines().at(-1)!) as Record<string, string>).requestId, undefined);
    } finally {
      server.close();
    }
  });
});

describe("HTTP route patterns", () => {
  it("ids become {id}, file names {name}, 404s one pattern, so label values stay bounded", () => {
    assert.equal(routePattern("/api/v1/runs/cmf3x0k2a0000qz8h1y2b3c4d/logs?follow=1", 200), "/api/v1/runs/{id}/logs");
    assert.equal(routePattern("/api/v1/runs/cmf3x0k2a0000qz8h1y2b3c4d/artifacts/out/report.txt", 200), "/api/v1/runs/{id}/artifacts/{name}");
    assert.equal(routePattern("/runs/new", 200), "/runs/new");
    assert.equal(routePattern("/invite/4f1c2a9be0d14b8c", 200), "/invite/{id}");
    assert.equal(routePattern("/_next/static/chunks/app-1234.js", 200), "/_next/*");
    assert.equal(routePattern("/anything/at/all", 404), "{unmatched}");
    assert.equal(routePattern("/a/b/c/d/e/f/g/h", 200), "/a/b/c/d/e/f/*");
  });
});

describe("the Prometheus text parser the tests scrape with", () => {
  it("reads NaN and Inf in any case, as Prometheus does (prom-client writes NaN as Nan), and refuses anything else that is not a number", () => {
    const text = ["# TYPE a gauge", "a Nan", "# TYPE b gauge", "b +Inf", "# TYPE c gauge", "c -inf", "# TYPE d gauge", "d 1.5e3"].join("\n");
    const families = parsePrometheusText(`${text}\n`);
    assert.ok(Number.isNaN(sampleValue(families, "a")));
    assert.equal(sampleValue(families, "b"), Infinity);
    assert.equal(sampleValue(families, "c"), -Infinity);
    assert.equal(sampleValue(families, "d"), 1500);
    assert.throws(() => parsePrometheusText("# TYPE e gauge\ne twelve\n"), /bad value twelve/);
  });
});
