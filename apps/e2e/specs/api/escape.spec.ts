// Hostile values in run specs, through the whole path a user's request takes: REST → control
// plane → SSH (forced command) → agent → Docker/gVisor. Values that try to escape (shell syntax,
// "../", newlines, huge strings) must arrive in the container exactly as sent and be run by no
// shell on the way; values that cannot be stored or passed safely are refused with the field.
import { existsSync, readdirSync } from "node:fs";
import { expect, test } from "../../fixtures/test";

const auth = () => {
  const token = process.env.BAILEY_E2E_API_TOKEN;
  if (!token) throw new Error("BAILEY_E2E_API_TOKEN is unset: run through `npm test`.");
  return { authorization: `Bearer ${token}` };
};

async function finish(request: import("@playwright/test").APIRequestContext, id: string) {
  for (let i = 0; i < 160; i++) {
    const { run } = await (await request.get(`/api/v1/runs/${id}`, { headers: auth() })).json();
    if (["succeeded", "failed", "cancelled", "lost", "timed_out"].includes(run.state)) return run as { state: string; exitCode: number | null; lastError: string | null; stateReason: string | null };
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`run ${id} did not finish`);
}

test("shell syntax, traversal and huge values in env and command reach the container verbatim and no shell", async ({ request }) => {
  const marker = `/tmp/bailey-escape-${Date.now()}`;
  const hostile: Record<string, string> = {
    SUBST: `$(touch ${marker}-subst)`,
    BACKTICKS: `\`touch ${marker}-backticks\``,
    CHAINED: `x; touch ${marker}-chained && echo pwned`,
    QUOTES: `'"; touch ${marker}-quotes; echo "'`,
    PIPE: `| touch ${marker}-pipe`,
    TRAVERSAL: "../../../../../etc/shadow",
    GLOB: "* ? [a-z] ~root {a,b}",
    INJECTED_LINE: "first\nSECOND_VAR=smuggled",
    UNICODE: "é 中 \u202e 🐳",
  };
  const big = "B".repeat(120 * 1024);
  const argv = [`$(touch ${marker}-argv)`, "; touch", `${marker}-argv2`, "`id`", "../.."];
  const created = await request.post("/api/v1/runs", {
    headers: auth(),
    data: {
      name: `../../${marker}; rm -rf /`,
      image: "bailey-test/busybox:latest",
      env: { ...hostile, BIG: big },
      // The script only prints: a quoted "$VAR" is expanded once, never evaluated again.
      command: [
        "sh",
        "-c",
        'printf "%s\\n" "$SUBST" "$BACKTICKS" "$CHAINED" "$QUOTES" "$PIPE" "$TRAVERSAL" "$GLOB" "$INJECTED_LINE" "$UNICODE"; echo "BIG ${#BIG}"; echo "SECOND_VAR=[${SECOND_VAR:-unset}]"; echo "$@"',
        "argv0",
        ...argv,
      ],
    },
  });
  expect(created.status(), await created.text()).toBe(201);
  const { run } = await created.json();
  expect(run.name).toBe(`../../${marker}; rm -rf /`);
  const finished = await finish(request, run.id);
  expect(finished.state, finished.lastError ?? finished.stateReason ?? "").toBe("succeeded");
  const logs = await (await request.get(`/api/v1/runs/${run.id}/logs`, { headers: auth() })).text();
  const expected = [...Object.values(hostile).map((value) => `${value}\n`), `BIG ${big.length}\n`, "SECOND_VAR=[unset]\n", `${argv.join(" ")}\n`].join("");
  expect(logs).toBe(expected);
  const leaked = readdirSync("/tmp").filter((name) => name.startsWith(marker.slice("/tmp/".length)));
  expect(leaked, "no command hidden in a value ran on the host").toEqual([]);
  expect(existsSync(`${marker}-subst`)).toBe(false);

  // Another run of the same team sees none of it.
  const neighbour = await (await request.post("/api/v1/runs", { headers: auth(), data: { image: "bailey-test/busybox:latest", command: ["env"] } })).json();
  expect((await finish(request, neighbour.run.id)).state).toBe("succeeded");
  const neighbourEnv = await (await request.get(`/api/v1/runs/${neighbour.run.id}/logs`, { headers: auth() })).text();
  for (const name of [...Object.keys(hostile), "BIG"]) expect(neighbourEnv).not.toContain(`${name}=`);
});

test("values that cannot pass safely are refused, naming the field, and create nothing", async ({ request }) => {
  const newest = async () => (await (await request.get("/api/v1/runs?limit=1", { headers: auth() })).json()).runs[0]?.id ?? null;
  const before = await newest();
  const refused: [string, object, RegExp][] = [
    ["NUL in an env value", { image: "bailey-test/busybox:latest", env: { A: "x\u0000y" } }, /NUL/],
    ["an env name with '='", { image: "bailey-test/busybox:latest", env: { "A=B": "x" } }, /env\.A=B.*environment variable name/],
    ["an env name with a path", { image: "bailey-test/busybox:latest", env: { "../PATH": "x" } }, /environment variable name/],
    ["an env value over 128 KiB", { image: "bailey-test/busybox:latest", env: { A: "x".repeat(128 * 1024 + 1) } }, /env\.A/],
    ["shell syntax as the image", { image: "busybox; touch /tmp/bailey-escape-image", command: ["true"] }, /image: must be an image reference/],
    ["a traversing image", { image: "../../etc/passwd" }, /image: must be an image reference/],
    ["an unknown field smuggling labels", { image: "bailey-test/busybox:latest", labels: { "bailey.run-id": "someone-else" } }, /labels/],
    ["a placement label with shell syntax in its key", { image: "bailey-test/busybox:latest", placement: { labels: { "$(id)": "x" } } }, /placement\.labels/],
  ];
  for (const [what, spec, message] of refused) {
    const response = await request.post("/api/v1/runs", { headers: auth(), data: spec });
    const body = await response.text();
    expect(response.status(), `${what}: ${body}`).toBe(400);
    expect(body, what).toMatch(message);
  }
  expect(await newest(), "nothing was created").toBe(before);
  expect(existsSync("/tmp/bailey-escape-image")).toBe(false);
});
