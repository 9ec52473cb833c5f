import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseImageReference, qualifiedImageReference, repoDigestFor } from "../src/image-reference";
import { classifyPullFailure } from "../src/pull-errors";

describe("image references", () => {
  it("qualifies short names the way Docker reads them (Podman would consult its search list)", () => {
    assert.equal(qualifiedImageReference("busybox"), "docker.io/library/busybox:latest");
    assert.equal(qualifiedImageReference("node:22"), "docker.io/library/node:22");
    assert.equal(qualifiedImageReference("moby/buildkit:v0.12"), "docker.io/moby/buildkit:v0.12");
    assert.equal(qualifiedImageReference("index.docker.io/library/alpine"), "docker.io/library/alpine:latest");
    assert.equal(qualifiedImageReference("ghcr.io/org/app:1.2"), "ghcr.io/org/app:1.2");
    assert.equal(qualifiedImageReference("127.0.0.1:5050/bailey/x"), "127.0.0.1:5050/bailey/x:latest");
    assert.equal(qualifiedImageReference("localhost/bailey-test/busybox:latest"), "localhost/bailey-test/busybox:latest");
  });

  it("keeps a digest and drops the implied tag", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    assert.deepEqual(parseImageReference(`127.0.0.1:5050/bailey/x@${digest}`), { registry: "127.0.0.1:5050", repository: "bailey/x", tag: null, digest });
    assert.equal(qualifiedImageReference(`busybox:1@${digest}`), `docker.io/library/busybox:1@${digest}`);
  });

  it("finds the repo digest in the engine's spelling (Docker prints docker.io images without docker.io/library/)", () => {
    const image = { id: "x", tags: [], sizeBytes: 0, createdAt: null, digests: ["busybox@sha256:1", "127.0.0.1:5050/other@sha256:2"] };
    assert.equal(repoDigestFor(image, "docker.io/library/busybox:latest"), "sha256:1");
    assert.equal(repoDigestFor(image, "127.0.0.1:5050/other:1"), "sha256:2");
    assert.equal(repoDigestFor(image, "127.0.0.1:5050/third:1"), null);
  });

  it("classifies the engines' failure words", () => {
    assert.equal(classifyPullFailure("manifest for 127.0.0.1:5050/x:1 not found: manifest unknown: manifest unknown"), "not_found");
    assert.equal(classifyPullFailure('Head "http://127.0.0.1:5051/v2/x/manifests/1": no basic auth credentials'), "unauthorized");
    assert.equal(classifyPullFailure("reading manifest 1 in 127.0.0.1:5051/x: unauthorized: authentication required"), "unauthorized");
    assert.equal(classifyPullFailure('Get "http://127.0.0.1:1/v2/": dial tcp 127.0.0.1:1: connect: connection refused'), "unreachable");
    assert.equal(classifyPullFailure("disk full"), "other");
  });
});
