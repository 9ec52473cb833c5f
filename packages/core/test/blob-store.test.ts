import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Readable } from "node:stream";
import { after, before, describe, it } from "node:test";
import S3rver from "s3rver";
import type { BlobStore } from "../src/blobs/blob-store";
import { createBlobStore } from "../src/blobs/create-blob-store";
import { DirectoryBlobStore } from "../src/blobs/directory-blob-store";
import { S3BlobStore } from "../src/blobs/s3-blob-store";

async function readAll(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(chunk as Buffer);
  return Buffer.concat(parts);
}

const sha256 = (data: Buffer) => createHash("sha256").update(data).digest("hex");

/** The same behaviour from every store: what the log and results shippers and the readers rely on. */
function conformance(name: string, open: () => BlobStore) {
  describe(`${name} blob store`, () => {
    it("parts put in any order read back as one blob, whole or by range", async () => {
      const store = open();
      const key = `runs/${randomBytes(4).toString("hex")}/logs`;
      const blob = randomBytes(3 * 1024 * 1024 + 17);
      const cuts = [0, 1, 1024 * 1024, 2 * 1024 * 1024 + 5, blob.length];
      const parts = cuts.slice(0, -1).map((start, i) => ({ start, data: blob.subarray(start, cuts[i + 1]) }));
      for (const part of [...parts].reverse()) await store.putPart(key, part.start, part.data);
      assert.equal(sha256(await readAll(store.read(key, blob.length))), sha256(blob), "the whole blob, byte for byte");
      assert.deepEqual(
        await readAll(store.read(key, blob.length, { start: 1024 * 1024 - 3, end: 2 * 1024 * 1024 + 9 })),
        blob.subarray(1024 * 1024 - 3, 2 * 1024 * 1024 + 9),
        "a range across three parts",
      );
      assert.deepEqual(await readAll(store.read(key, blob.length, { start: 5, end: 5 })), Buffer.alloc(0), "an empty range");
      assert.deepEqual(await readAll(store.read(key, 2)), blob.subarray(0, 2), "a read of fewer bytes than stored (the size the database recorded)");
    });

    it("a part put again replaces it (a retried pull), and a longer part over shorter ones (a retry that got more) reads right", async () => {
      const store = open();
      const key = `runs/${randomBytes(4).toString("hex")}/results/artifacts/out.bin`;
      await store.putPart(key, 0, Buffer.from("hello "));
      await store.putPart(key, 0, Buffer.from("hello "));
      await store.putPart(key, 6, Buffer.from("wor"));
      await store.putPart(key, 6, Buffer.from("world!"));
      assert.equal((await readAll(store.read(key, 12))).toString(), "hello world!");
      await store.putPart(key, 3, Buffer.from("lo world!"));
      assert.equal((await readAll(store.read(key, 12))).toString(), "hello world!", "overlapping parts hold the same bytes");
    });

    it("a missing part fails the read, naming the byte, instead of returning a blob with a hole", async () => {
      const store = open();
      const key = `runs/${randomBytes(4).toString("hex")}/logs`;
      await store.putPart(key, 0, Buffer.from("abc"));
      await store.putPart(key, 6, Buffer.from("ghi"));
      await assert.rejects(readAll(store.read(key, 9)), /no stored part holding byte 3/);
      await assert.rejects(readAll(store.read(`runs/${randomBytes(4).toString("hex")}/logs`, 1)), /no stored part holding byte 0/, "a blob never written");
      await assert.rejects(readAll(store.read(key, 3, { start: 0, end: 4 })), /outside its 3 bytes/);
    });

    it("deletePrefix removes every part of every blob under the prefix, says the bytes freed, and leaves other runs alone", async () => {
      const store = open();
      const runA = randomBytes(4).toString("hex");
      const runB = `${runA}b`;
      await store.putPart(`runs/${runA}/logs`, 0, Buffer.alloc(100, 1));
      await store.putPart(`runs/${runA}/logs`, 100, Buffer.alloc(50, 1));
      await store.putPart(`runs/${runA}/results/diff.patch`, 0, Buffer.alloc(7, 2));
      await store.putPart(`runs/${runB}/logs`, 0, Buffer.alloc(9, 3));
      assert.equal(await store.deletePrefix(`runs/${runA}/`), 157);
      await assert.rejects(readAll(store.read(`runs/${runA}/logs`, 150)), /no stored part/);
      assert.deepEqual(await readAll(store.read(`runs/${runB}/logs`, 9)), Buffer.alloc(9, 3), "a run whose id starts with the other's keeps its blobs");
      assert.equal(await store.deletePrefix(`runs/${runA}/`), 0, "nothing left to free");
    });

    it("concurrent puts of different parts all land", async () => {
      const store = open();
      const key = `runs/${randomBytes(4).toString("hex")}/logs`;
      const blob = randomBytes(64 * 1000);
      await Promise.all(Array.from({ length: 64 }, (_, i) => store.putPart(key, i * 1000, blob.subarray(i * 1000, (i + 1) * 1000))));
      assert.equal(sha256(await readAll(store.read(key, blob.length))), sha256(blob));
    });

    it("keys that could leave the store are refused with what a key must be", async () => {
      const store = open();
      for (const key of ["../etc/passwd", "/runs/x/logs", "runs/../../x", "runs//logs", ""]) {
        await assert.rejects(store.putPart(key, 0, Buffer.from("x")), /not a relative path of plain segments/, key);
      }
      await assert.rejects(store.deletePrefix("../"), /not a relative path/);
      await assert.rejects(store.putPart("runs/x/logs", -1, Buffer.from("x")), /byte offset/);
    });
  });
}

let blobDir: string;
let s3Dir: string;
let s3: S3rver;
let s3Endpoint: string;
const bucket = "bailey-blobs";

before(async () => {
  blobDir = await mkdtemp(path.join(tmpdir(), "bailey-blobs-"));
  s3Dir = await mkdtemp(path.join(tmpdir(), "bailey-s3rver-"));
  s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: bucket }] });
  const address = (await s3.run()) as AddressInfo;
  s3Endpoint = `http://127.0.0.1:${address.port}`;
});
after(async () => {
  await s3?.close();
  await rm(blobDir, { recursive: true, force: true });
  await rm(s3Dir, { recursive: true, force: true });
});

conformance("directory", () => new DirectoryBlobStore(blobDir));
conformance("S3 (a real S3 server: s3rver)", () =>
  createBlobStore({
    BAILEY_S3_ENDPOINT: s3Endpoint,
    BAILEY_S3_BUCKET: bucket,
    BAILEY_S3_REGION: "us-east-1",
    BAILEY_S3_ACCESS_KEY_ID: "S3RVER",
    BAILEY_S3_SECRET_ACCESS_KEY: "S3RVER",
    BAILEY_S3_FORCE_PATH_STYLE: "true",
  }),
);

describe("the directory store on disk", () => {
  it("keeps parts as <key>/<offset, zero-padded>.part and leaves no temporary files", async () => {
    const store = new DirectoryBlobStore(blobDir);
    const run = randomBytes(4).toString("hex");
    await store.putPart(`runs/${run}/logs`, 0, Buffer.from("a"));
    await store.putPart(`runs/${run}/logs`, 1, Buffer.from("b"));
    assert.deepEqual((await readdir(path.join(blobDir, "runs", run, "logs"))).sort(), ["0000000000000000.part", "0000000000000001.part"]);
  });
});

describe("createBlobStore", () => {
  it("a directory under the data dir by default, BAILEY_BLOB_DIR when set, S3 when BAILEY_S3_BUCKET is set", () => {
    const byDefault = createBlobStore({ BAILEY_DATA_DIR: "/var/lib/bailey" });
    assert.ok(byDefault instanceof DirectoryBlobStore && byDefault.root === "/var/lib/bailey/blobs");
    const chosen = createBlobStore({ BAILEY_DATA_DIR: "/var/lib/bailey", BAILEY_BLOB_DIR: "/srv/blobs" });
    assert.ok(chosen instanceof DirectoryBlobStore && chosen.root === "/srv/blobs");
    assert.ok(createBlobStore({ BAILEY_S3_BUCKET: "b", BAILEY_S3_ACCESS_KEY_ID: "k", BAILEY_S3_SECRET_ACCESS_KEY: "s" }) instanceof S3BlobStore);
  });

  it("half an S3 configuration is refused, saying what to set", () => {
    assert.throws(() => createBlobStore({ BAILEY_S3_ENDPOINT: "http://127.0.0.1:9000" }), /BAILEY_S3_BUCKET is not/);
    assert.throws(() => createBlobStore({ BAILEY_S3_BUCKET: "b" }), /BAILEY_S3_ACCESS_KEY_ID and BAILEY_S3_SECRET_ACCESS_KEY/);
    assert.throws(() => createBlobStore({ BAILEY_S3_BUCKET: "b", BAILEY_S3_ACCESS_KEY_ID: "k", BAILEY_S3_SECRET_ACCESS_KEY: "s", BAILEY_S3_ENDPOINT: "s3.example.com" }), /must be the store's URL/);
    assert.throws(() => createBlobStore({ BAILEY_S3_BUCKET: "b", BAILEY_S3_ACCESS_KEY_ID: "k", BAILEY_S3_SECRET_ACCESS_KEY: "s", BAILEY_S3_FORCE_PATH_STYLE: "yes" }), /true or false/);
    assert.throws(() => createBlobStore({ BAILEY_S3_BUCKET: "b", BAILEY_S3_ACCESS_KEY_ID: "k", BAILEY_S3_SECRET_ACCESS_KEY: "s", BAILEY_BLOB_DIR: "/x" }), /both set/);
  });
});
