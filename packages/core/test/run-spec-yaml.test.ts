import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppError } from "../src/errors";
import { parseYamlRunSpec } from "../src/runs/run-spec-yaml";
import { validateRunSpec } from "../src/runs/run-spec";

function assertRefused(text: string, pattern: RegExp, code = "BAD_REQUEST"): AppError {
  let caught: unknown;
  assert.throws(
    () => parseYamlRunSpec(text),
    (error) => {
      caught = error;
      return error instanceof AppError && error.code === code && pattern.test(error.message);
    },
  );
  return caught as AppError;
}

describe("parseYamlRunSpec", () => {
  it("passes a plain Bailey spec through and it validates", () => {
    const parsed = parseYamlRunSpec(`
name: 2024-05-01 nightly
image: node:20
command: npm test
env:
  CI: "true"
dependencies: [docker:dind]
sandbox: none
placement:
  labels: { gpu: "yes" }
resources:
  cpus: 2
  memory: 2g
  timeoutSeconds: 600
`);
    assert.equal(parsed.format, "yaml");
    assert.deepEqual(parsed.ignored, []);
    assert.deepEqual(parsed.spec, {
      name: "2024-05-01 nightly",
      image: "node:20",
      command: ["/bin/sh", "-c", "npm test"],
      env: { CI: "true" },
      dependencies: ["docker:dind"],
      sandbox: "none",
      placement: { labels: { gpu: "yes" } },
      resources: { cpus: 2, memory: "2g", timeoutSeconds: 600 },
    });
    const { spec, agentSpec } = validateRunSpec(parsed.spec);
    assert.equal(spec.image, "node:20");
    assert.equal(agentSpec.resources.memoryBytes, 2 * 1024 ** 3);
  });

  it("translates a moat.yaml and lists exactly what it ignores", () => {
    const parsed = parseYamlRunSpec(`
agent: claude-code
image: node:20
dependencies:
  - docker:dind
  - node@20
env:
  PORT: 3000
  VERSION: 1.10
  DEBUG: true
ports: [3000]
command: npm run dev
`);
    assert.equal(parsed.format, "moat");
    assert.deepEqual(parsed.spec, {
      name: "claude-code",
      image: "node:20",
      dependencies: ["docker:dind"],
      env: { PORT: "3000", VERSION: "1.10", DEBUG: "true" },
      command: ["/bin/sh", "-c", "npm run dev"],
    });
    assert.deepEqual(parsed.ignored, [
      { field: "dependencies[1]", reason: "Bailey does not install language dependencies yet (node@20); use an image that has it" },
      { field: "ports", reason: "Bailey does not publish ports yet" },
    ]);
    const { spec } = validateRunSpec(parsed.spec);
    assert.equal(spec.name, "claude-code");
    assert.deepEqual(spec.dependencies, ["docker:dind"]);
  });

  it("accounts for every moat key: mapped or ignored with a reason", () => {
    const parsed = parseYamlRunSpec(`
name: web
agent: codex
image: python:3.12
sandbox: false
grants: [github]
workspace: .
runtime: docker
mounts: [./data:/data:ro]
secrets: { TOKEN: op://Dev/token }
hooks: { pre_run: make }
`);
    assert.deepEqual(parsed.spec, { name: "web", image: "python:3.12", sandbox: "none", grants: ["github"] });
    assert.deepEqual(
      parsed.ignored.map((entry) => entry.field),
      ["agent", "workspace", "runtime", "mounts", "secrets", "hooks"],
    );
    assert.ok(parsed.ignored.every((entry) => entry.reason.length > 0));
    assert.equal(parsed.ignored.at(-1)?.reason, "not a Bailey or moat.yaml field");
    validateRunSpec(parsed.spec);
  });

  it("honours a moat.yaml's grants, Bailey-form secrets and network (permissive is open)", () => {
    const parsed = parseYamlRunSpec(`
agent: claude-code
image: node:20
grants: [github, openai-api]
secrets: { NPM_TOKEN: npm-token }
network:
  policy: permissive
  allow: ["*.npmjs.org", "registry.yarnpkg.com:443"]
`);
    assert.equal(parsed.format, "moat");
    assert.deepEqual(parsed.ignored, []);
    assert.deepEqual(parsed.spec, {
      name: "claude-code",
      image: "node:20",
      grants: ["github", "openai-api"],
      secrets: { NPM_TOKEN: "npm-token" },
      network: { policy: "open", allow: ["*.npmjs.org", "registry.yarnpkg.com:443"] },
    });
    const { agentSpec } = validateRunSpec(parsed.spec);
    assert.deepEqual(agentSpec.grants, ["github", "openai-api"]);
    assert.deepEqual(agentSpec.network, { policy: "open", allow: ["*.npmjs.org", "registry.yarnpkg.com:443"] });

    const strict = parseYamlRunSpec("image: node:20\nnetwork: { policy: strict, allow: [api.example.com] }\n");
    assert.deepEqual(validateRunSpec(strict.spec).agentSpec.network, { policy: "strict", allow: ["api.example.com"] });
    // A moat policy name alone marks the file as moat's, so it is translated rather than refused as an unknown option.
    const permissive = parseYamlRunSpec("image: node:20\nnetwork: { policy: permissive }\n");
    assert.equal(permissive.format, "moat");
    assert.deepEqual(validateRunSpec(permissive.spec).spec.network, { policy: "open", allow: [] });
  });

  it("refuses what a moat.yaml's grants and network ask for but Bailey cannot honour, naming the field", () => {
    const scoped = assertRefused("image: node:20\ngrants: [github:repo]\n", /grants\[0\]: "github:repo" is a moat grant with a scope.*grants: \[github\]/);
    assert.equal((scoped.details as { fields: { field: string }[] }).fields[0]?.field, "grants[0]");
    assertRefused("agent: x\nimage: node:20\nnetwork: { policy: strict, deny: [evil.example] }\n", /network\.deny: Bailey's network has only policy and allow/);
    assertRefused("agent: x\nimage: node:20\nnetwork: { policy: lockdown }\n", /network\.policy must be permissive \(open\) or strict, not "lockdown"/);
    assertRefused("agent: x\nimage: node:20\nnetwork: strict\n", /network must be a mapping/);
    // Host patterns are checked by the proxy's own parser when the spec is validated.
    const parsed = parseYamlRunSpec("agent: x\nimage: node:20\nnetwork: { policy: strict, allow: ['*.com'] }\n");
    assert.throws(
      () => validateRunSpec(parsed.spec),
      (error: AppError) => error.code === "BAD_REQUEST" && /network\.allow\.0: "\*\.com": a wildcard needs a domain of at least two labels/.test(error.message),
    );
  });

  it("asks a moat.yaml without an image for one instead of inventing it", () => {
    const error = assertRefused("agent: claude\ndependencies: [node@20]\n", /no image/);
    assert.deepEqual(error.details, {
      fields: [
        {
          field: "image",
          message:
            "moat.yaml has no image; Bailey does not build images from dependencies yet — add image: <an image that has your tools>, e.g. image: node:20, or build: {dockerfileInline: ...} to build one from a Dockerfile",
        },
      ],
    });
  });

  it("takes Bailey's build field in a moat.yaml instead of an image", () => {
    const parsed = parseYamlRunSpec("agent: claude\ndependencies: [node@20]\nbuild:\n  dockerfileInline: |\n    FROM node:20\n  target: dev\n");
    assert.equal(parsed.format, "moat");
    assert.deepEqual((parsed.spec as { build: unknown }).build, { dockerfileInline: "FROM node:20\n", target: "dev" });
  });

  it("fails fast on a billion-laughs alias bomb", () => {
    const letters = "abcdefghi";
    const lines = [`a: &a [${Array(9).fill('"lol"').join(", ")}]`];
    for (let level = 1; level < 9; level++)
      lines.push(
        `${letters[level]}: &${letters[level]} [${Array(9)
          .fill(`*${letters[level - 1]}`)
          .join(", ")}]`,
      );
    const started = performance.now();
    assertRefused(`image: node:20\n${lines.join("\n")}\n`, /alias/);
    assert.ok(performance.now() - started < 1000);
  });

  it("refuses deep nesting without recursing into it", () => {
    const started = performance.now();
    assertRefused(`image: x\nenv: ${"[".repeat(200_000)}`, /nested too deeply at line 2/);
    assertRefused(`image: x\nenv: ${"- ".repeat(200_000)}x\n`, /nested too deeply/);
    assertRefused(`${Array.from({ length: 300 }, (_, depth) => `${" ".repeat(depth)}a:`).join("\n")} x\n`, /nested too deeply/);
    assert.ok(performance.now() - started < 1000);
  });

  it("names the line of a syntax error", () => {
    const error = assertRefused("image: node:20\ncommand: [npm, test\nenv: {}\n", /line 3/);
    assert.deepEqual((error.details!.fields as { field: string }[])[0]?.field, "spec");
  });

  it("refuses more than one document", () => {
    assertRefused("image: a\n---\nimage: b\n", /single YAML document.*line 2/);
  });

  it("refuses duplicate keys", () => {
    assertRefused("image: a\nimage: b\n", /unique.*line 2/);
  });

  it("refuses custom and non-core tags, so nothing becomes a function", () => {
    assertRefused("image: a\ncommand: !!js/function 'function () { return 1 }'\n", /tag/);
    assertRefused("image: !foo a\n", /tag/);
    assertRefused("image: a\nname: !!binary aGk=\n", /tag/);
  });

  it("keeps scalars that look like dates or versions as written", () => {
    const parsed = parseYamlRunSpec("image: node:20\nname: 2001-12-14\n");
    assert.deepEqual(parsed.spec, { image: "node:20", name: "2001-12-14" });
  });

  it("refuses a document that is not a mapping", () => {
    assertRefused("- image: node:20\n", /mapping.*a list/);
    assertRefused("node:20\n", /mapping.*a string/);
    assertRefused("# nothing\n", /mapping.*empty/);
  });

  it("refuses input over 1 MiB", () => {
    assertRefused(`image: node:20\nname: "${"x".repeat(1024 * 1024)}"\n`, /1 MiB/, "PAYLOAD_TOO_LARGE");
  });

  it("leaves unknown keys of a plain spec for the strict validator to refuse", () => {
    const parsed = parseYamlRunSpec("image: node:20\nimgae_pull: always\n__proto__: { polluted: true }\n");
    assert.equal(parsed.format, "yaml");
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
    assert.throws(
      () => validateRunSpec(parsed.spec),
      (error) => error instanceof AppError && error.code === "BAD_REQUEST" && /imgae_pull/.test(error.message),
    );
  });
});
