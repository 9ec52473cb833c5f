import assert from "node:assert/strict";
import { test } from "node:test";
import { LogBuffer } from "../src/components/log-viewer/log-buffer";
import { colorCss, styleCss } from "../src/components/log-viewer/log-style";

/** A line as [text, fg, bold] triples: enough to read a test at a glance. */
const shape = (buffer: LogBuffer, i: number) => buffer.line(i).map((span) => [span.text, span.style.fg, span.style.bold] as const);
const texts = (buffer: LogBuffer) => Array.from({ length: buffer.lineCount }, (_, i) => buffer.text(i));

test("SGR colours and attributes become styled spans; the escape sequences themselves never show", () => {
  const buffer = new LogBuffer();
  buffer.append("\x1b[31mred\x1b[0m \x1b[1;32mbold green\x1b[0m\n");
  assert.deepEqual(shape(buffer, 0), [
    ["red", 1, false],
    [" ", null, false],
    ["bold green", 2, true],
  ]);
  buffer.append("\x1b[38;5;208mamber\x1b[39m \x1b[38;2;1;2;3mrgb\x1b[48:2::10:20:30mon\x1b[m \x1b[2;3;4;7;9mall\x1b[22;23;24;27;29mnone\x1b[91;104mbright\n");
  const spans = buffer.line(1);
  assert.deepEqual(
    spans.map((span) => span.text),
    ["amber", " ", "rgb", "on", " ", "all", "none", "bright"],
  );
  assert.equal(spans[0]?.style.fg, 208);
  assert.equal(spans[2]?.style.fg, "#010203");
  assert.equal(spans[3]?.style.bg, "#0a141e");
  assert.deepEqual((({ dim, italic, underline, inverse, strikethrough }) => ({ dim, italic, underline, inverse, strikethrough }))(spans[5]!.style), {
    dim: true,
    italic: true,
    underline: true,
    inverse: true,
    strikethrough: true,
  });
  assert.equal(spans[6]?.style.dim, false);
  assert.equal(spans[6]?.style.inverse, false);
  assert.equal(spans[7]?.style.fg, 9);
  assert.equal(spans[7]?.style.bg, 12);
  for (const text of texts(buffer)) assert.ok(!text.includes("\x1b") && !/\[\d/.test(text), text);
});

test("other escape sequences (cursor, modes, OSC titles and links, charsets, DCS) are dropped whole", () => {
  const buffer = new LogBuffer();
  buffer.append("\x1b[?25lA\x1b[2JB\x1b]0;title\x07C\x1b]8;;https://x.test\x1b\\link\x1b]8;;\x1b\\D\x1b(BE\x1bPqdata\x1b\\F\x1b7G\x07\x00H\x1b[1AI\n");
  assert.deepEqual(texts(buffer), ["ABClinkDEFGHI"]);
  // C1 forms (U+009B is CSI) too.
  buffer.append("\u009b31mred\u009b0m\n");
  assert.deepEqual(shape(buffer, 1), [["red", 1, false]]);
});

test("a carriage return rewrites the line as a terminal shows it; \\r\\n is a newline; \\b and ESC[K act", () => {
  const buffer = new LogBuffer();
  buffer.append("progress  10%\rprogress  50%\rprogress 100%\n");
  buffer.append("windows line\r\nnext\n");
  buffer.append("long old text\rshort\n"); // overwrite, not clear: what a terminal shows
  buffer.append("long old text\rshort\x1b[K\n");
  buffer.append("abc\bX\n");
  buffer.append("\x1b[32mgreen\x1b[0m\rred\n");
  assert.deepEqual(texts(buffer), ["progress 100%", "windows line", "next", "shortold text", "short", "abX", "reden"]);
  assert.deepEqual(shape(buffer, 6), [
    ["red", null, false],
    ["en", 2, false],
  ]);
});

test("state carries across chunks: a sequence, a \\r\\n and a UTF-8 character split between appends", () => {
  const buffer = new LogBuffer();
  const bytes = new TextEncoder().encode("\x1b[31mré€😀\x1b[0m plain\r\n50%\r100%\n");
  // Every byte on its own: the worst split there is.
  for (const byte of bytes) buffer.append(new Uint8Array([byte]));
  assert.deepEqual(texts(buffer), ["ré€😀 plain", "100%"]);
  assert.deepEqual(shape(buffer, 0), [
    ["ré€😀", 1, false],
    [" plain", null, false],
  ]);
});

test("the line being written counts and shows; finished lines are complete; versions and subscribers tick", () => {
  const buffer = new LogBuffer();
  const seen: number[] = [];
  const unsubscribe = buffer.subscribe(() => seen.push(buffer.getVersion()));
  assert.equal(buffer.lineCount, 0);
  buffer.append("first\nsecond, half");
  assert.equal(buffer.lineCount, 2);
  assert.equal(buffer.completeLines, 1);
  assert.equal(buffer.text(1), "second, half");
  buffer.append(" done\n");
  assert.equal(buffer.lineCount, 2);
  assert.equal(buffer.completeLines, 2);
  unsubscribe();
  buffer.append("x");
  assert.deepEqual(seen, [1, 2]);
  assert.equal(buffer.version, 3);
  assert.equal(buffer.plainText(), "first\nsecond, half done\nx\n");
  assert.throws(() => buffer.line(5), RangeError);
});

test("maxLines keeps the newest lines and counts what it dropped", () => {
  const buffer = new LogBuffer({ maxLines: 3 });
  for (let i = 1; i <= 10_000; i++) buffer.append(`line ${i}\n`);
  assert.equal(buffer.lineCount, 3);
  assert.equal(buffer.lineOffset, 9_997);
  assert.deepEqual(texts(buffer), ["line 9998", "line 9999", "line 10000"]);
});

test("a million lines of seq parse in well under a few seconds and stay compact", () => {
  const buffer = new LogBuffer();
  const text = `${Array.from({ length: 1_000_000 }, (_, i) => i + 1).join("\n")}\n`;
  const bytes = new TextEncoder().encode(text);
  const before = process.memoryUsage().heapUsed;
  const started = performance.now();
  for (let at = 0; at < bytes.length; at += 65_536) buffer.append(bytes.subarray(at, at + 65_536));
  const took = performance.now() - started;
  assert.equal(buffer.lineCount, 1_000_000);
  assert.equal(buffer.text(999_998), "999999");
  assert.equal(buffer.text(999_999), "1000000");
  globalThis.gc?.();
  const grew = (process.memoryUsage().heapUsed - before) / 1024 / 1024;
  console.log(`# 1,000,000 lines (${(bytes.length / 1024 / 1024).toFixed(1)} MiB) parsed in ${took.toFixed(0)} ms; heap grew ${grew.toFixed(0)} MiB`);
  assert.ok(took < 10_000, `parsing took ${took} ms`);
  assert.ok(grew < 200, `the heap grew ${grew} MiB`);
});

test("styles become CSS: theme variables for the sixteen colours, rgb for the cube and greys, inverse swaps", () => {
  assert.equal(colorCss(1), "var(--log-c1)");
  assert.equal(colorCss(196), "rgb(255, 0, 0)");
  assert.equal(colorCss(244), "rgb(128, 128, 128)");
  assert.equal(colorCss("#123456"), "#123456");
  const buffer = new LogBuffer();
  buffer.append("plain\x1b[1;31mbold red\x1b[0;7minverse\x1b[0;2;4mdim underlined\n");
  const [plain, boldRed, inverse, dimUnderlined] = buffer.line(0);
  assert.equal(styleCss(plain!.style), undefined);
  assert.deepEqual(styleCss(boldRed!.style), { color: "var(--log-c1)", fontWeight: 700 });
  assert.deepEqual(styleCss(inverse!.style), { color: "var(--log-bg)", backgroundColor: "var(--log-fg)" });
  assert.deepEqual(styleCss(dimUnderlined!.style), { opacity: 0.6, textDecorationLine: "underline" });
});
