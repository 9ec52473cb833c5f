import assert from "node:assert/strict";
import { PassThrough, type Readable } from "node:stream";
import { it } from "node:test";
import { followAcrossRotations } from "../src/drivers/docker/follow-logs";
import { logTimestampNanos } from "../src/drivers/docker/log-demux";

const frame = (kind: 1 | 2, timestamp: string, text: string) => {
  const payload = Buffer.from(`${timestamp} ${text}`);
  const header = Buffer.alloc(8);
  header[0] = kind;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

const at = (n: number) => `2026-12-02T01:00:00.00000000${n}Z`;

function ended(...frames: Buffer[]): Readable {
  const stream = new PassThrough();
  for (const piece of frames) stream.write(piece);
  stream.end();
  return stream;
}

it("a follow the engine ends while the container runs is resumed from the last frame's time, without repeats, until the container has stopped", async () => {
  const opened: (string | undefined)[] = [];
  const streams = [
    ended(frame(1, at(1), "one\n"), frame(2, at(2), "two\n")),
    // Resumed from frame 2's time: the engine sends frame 2 again.
    ended(frame(2, at(2), "two\n"), frame(1, at(3), "three\n")),
    ended(frame(1, at(3), "three\n"), frame(1, at(4), "four\n")),
  ];
  const running = [true, true, false];
  const follow = followAcrossRotations({
    open: async (since) => {
      opened.push(since);
      return streams.shift() ?? ended();
    },
    running: async () => running.shift() ?? false,
  });
  const lines: string[] = [];
  for await (const chunk of follow) lines.push(`${chunk.stream}:${chunk.data.toString()}`);
  assert.deepEqual(lines.join(""), "stdout:one\nstderr:two\nstdout:three\nstdout:four\n");
  // From the older of the two streams' newest frames: stdout's 1, then stderr's 2.
  assert.deepEqual(opened, [undefined, "1796173200.000000001", "1796173200.000000002"]);
});

it("a reader that goes away while the engine is quiet closes the engine's stream at once", async () => {
  const quiet = new PassThrough();
  quiet.write(frame(1, at(1), "hello\n"));
  const follow = followAcrossRotations({ open: async () => quiet, running: async () => true });
  for await (const chunk of follow) {
    assert.equal(chunk.data.toString(), "hello\n");
    break;
  }
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(quiet.destroyed, true);
});

it("engine timestamps parse to nanoseconds, Docker's fixed nine digits and Podman's trimmed ones alike", () => {
  assert.equal(logTimestampNanos("2026-12-02T01:00:00.000000002Z"), 1796173200000000002n);
  assert.equal(logTimestampNanos("2026-12-02T01:00:00.5Z"), 1796173200500000000n);
  assert.equal(logTimestampNanos("2026-12-02T02:00:00+01:00"), 1796173200000000000n);
  assert.equal(logTimestampNanos("not-a-time"), null);
});

it("frames that share a timestamp (Podman 4.3's are whole seconds) all arrive, and a resumed stream repeats none of them", async () => {
  const second = "2026-12-02T01:00:00Z";
  const streams = [
    ended(frame(1, second, "one\n"), frame(1, second, "two\n"), frame(2, second, "three\n")),
    // Resumed from that second: the engine sends all three again, then what came since.
    ended(frame(1, second, "one\n"), frame(1, second, "two\n"), frame(2, second, "three\n"), frame(1, second, "four\n"), frame(1, "2026-12-02T01:00:01Z", "five\n")),
  ];
  const running = [true, false];
  const follow = followAcrossRotations({ open: async () => streams.shift() ?? ended(), running: async () => running.shift() ?? false });
  const lines: string[] = [];
  for await (const chunk of follow) lines.push(`${chunk.stream}:${chunk.data.toString()}`);
  assert.equal(lines.join(""), "stdout:one\ntwo\nstderr:three\nstdout:four\nfive\n");
});

it("a frame Docker sends again with the same nanosecond stamp in one stream (around a rotation) arrives once", async () => {
  const follow = followAcrossRotations({ open: async () => ended(frame(1, at(1), "one\n"), frame(1, at(1), "one\n"), frame(1, at(2), "two\n")), running: async () => false });
  const lines: string[] = [];
  for await (const chunk of follow) lines.push(chunk.data.toString());
  assert.equal(lines.join(""), "one\ntwo\n");
});

it("the frames Docker splits a long line into share its stamp: all arrive, and a follow resumed in the middle of them repeats none", async () => {
  const piece = (n: number) => `${String(n).repeat(4)}`;
  const first = ended(frame(1, at(1), piece(1)), frame(1, at(1), piece(2)));
  // Resumed from stamp 1 after two pieces: the engine sends all of them again, then the rest.
  const second = ended(frame(1, at(1), piece(1)), frame(1, at(1), piece(2)), frame(1, at(1), `${piece(3)}\n`), frame(1, at(2), "next\n"));
  const streams = [first, second];
  const running = [true, false];
  const positions: (string | undefined)[] = [];
  const follow = followAcrossRotations({ open: async () => streams.shift() ?? ended(), running: async () => running.shift() ?? false });
  const text: string[] = [];
  for await (const chunk of follow) {
    text.push(chunk.data.toString());
    positions.push(chunk.position?.stdout ? `${chunk.position.stdout.nanos}/${chunk.position.stdout.frames}` : undefined);
  }
  assert.equal(text.join(""), "111122223333\nnext\n");
  assert.deepEqual(positions.at(-1), "1796173200000000002/1");

  // A new follow from a position taken mid-line (a restarted reader) picks up right after it.
  const again = followAcrossRotations({
    after: { stdout: { nanos: "1796173200000000001", frames: 2, partialLine: true }, stderr: null },
    open: async () => ended(frame(1, at(1), piece(1)), frame(1, at(1), piece(2)), frame(1, at(1), `${piece(3)}\n`), frame(1, at(2), "next\n")),
    running: async () => false,
  });
  const rest: string[] = [];
  for await (const chunk of again) rest.push(chunk.data.toString());
  assert.equal(rest.join(""), "3333\nnext\n");
});

it("a stderr frame stamped before the stdout frame ahead of it in the log (the engine stamps each stream apart) arrives, and a resumed follow loses none", async () => {
  const streams = [
    ended(frame(1, at(2), "out two\n"), frame(2, at(1), "err one\n")),
    // Resumed from the older stream's newest (stderr's 1): the engine sends both again, then the rest.
    ended(frame(1, at(2), "out two\n"), frame(2, at(1), "err one\n"), frame(1, at(4), "out four\n"), frame(2, at(3), "err three\n")),
  ];
  const running = [true, false];
  const opened: (string | undefined)[] = [];
  const follow = followAcrossRotations({
    open: async (since) => {
      opened.push(since);
      return streams.shift() ?? ended();
    },
    running: async () => running.shift() ?? false,
  });
  const lines: string[] = [];
  for await (const chunk of follow) lines.push(chunk.data.toString());
  assert.equal(lines.join(""), "out two\nerr one\nout four\nerr three\n");
  assert.deepEqual(opened, [undefined, "1796173200.000000001"]);
});
