import assert from "node:assert/strict";
import { appendFile, mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { Journal } from "../src/journal/journal";

describe("Journal", () => {
  let dir = "";
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "bailey-journal-"));
  });
  afterEach(async () => rm(dir, { recursive: true, force: true }));

  it("numbers events monotonically, even when appended concurrently", async () => {
    const journal = await Journal.open(dir);
    const appended = await Promise.all(Array.from({ length: 50 }, (_, i) => journal.append({ type: "run.state", data: { i } })));
    assert.deepEqual(
      appended.map((event) => event.seq).sort((a, b) => a - b),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    const { events, lastSeq } = journal.pull(0, 100);
    assert.equal(lastSeq, 50);
    assert.deepEqual(
      events.map((event) => event.seq),
      Array.from({ length: 50 }, (_, i) => i + 1),
    );
    await journal.close();
  });

  it("pulls after a sequence number with a limit", async () => {
    const journal = await Journal.open(dir);
    for (let i = 0; i < 10; i++) await journal.append({ type: "run.state", runId: "r1", data: { i } });
    assert.deepEqual(
      journal.pull(3, 4).events.map((event) => event.seq),
      [4, 5, 6, 7],
    );
    assert.deepEqual(journal.pull(10, 4).events, []);
    await journal.close();
  });

  it("resumes its sequence and unacknowledged events after a restart", async () => {
    const first = await Journal.open(dir);
    for (let i = 0; i < 5; i++) await first.append({ type: "run.state", data: { i } });
    await first.ack(3);
    await first.close();

    const second = await Journal.open(dir);
    assert.equal(second.lastSequence, 5);
    assert.equal(second.acknowledgedSequence, 3);
    assert.deepEqual(
      second.pull(0, 10).events.map((event) => event.seq),
      [4, 5],
    );
    assert.equal((await second.append({ type: "run.state", data: {} })).seq, 6);
    await second.close();
  });

  it("keeps the sequence past a full acknowledgement and compaction", async () => {
    const journal = await Journal.open(dir);
    for (let i = 0; i < 1_005; i++) await journal.append({ type: "run.state", data: { i } });
    await journal.ack(1_005);
    await journal.close();
    assert.equal((await readFile(path.join(dir, "journal.jsonl"), "utf8")).length, 0, "acknowledged events were compacted away");

    const reopened = await Journal.open(dir);
    assert.equal((await reopened.append({ type: "run.state", data: {} })).seq, 1_006);
    await reopened.close();
  });

  it("drops a torn last line left by a crash mid-append", async () => {
    const journal = await Journal.open(dir);
    await journal.append({ type: "run.state", data: {} });
    await journal.close();
    await appendFile(path.join(dir, "journal.jsonl"), '{"seq":2,"at":"2026-');

    const reopened = await Journal.open(dir);
    assert.equal(reopened.lastSequence, 1);
    assert.equal((await reopened.append({ type: "run.state", data: {} })).seq, 2);
    assert.deepEqual(
      reopened.pull(0, 10).events.map((event) => event.seq),
      [1, 2],
    );
    await reopened.close();
  });

  it("never acknowledges beyond what it has written", async () => {
    const journal = await Journal.open(dir);
    await journal.append({ type: "run.state", data: {} });
    assert.equal(await journal.ack(99), 1);
    assert.equal((await journal.append({ type: "run.state", data: {} })).seq, 2);
    await journal.close();
  });
});
