import assert from "node:assert/strict";
import { test } from "node:test";
import { LogBuffer } from "../src/components/log-viewer/log-buffer";
import { LogSearch } from "../src/components/log-viewer/log-search";
import { maxScrollExtent, scrollTopFor, segmentsOf, visibleWindow } from "../src/components/log-viewer/virtual-window";

const all = (search: LogSearch) => Array.from({ length: search.count }, (_, k) => search.match(k));

test("search finds every occurrence, smart-case, and picks up new output incrementally", () => {
  const buffer = new LogBuffer();
  buffer.append("Error one\nfine\nerror two, ERROR three\npartial err");
  const search = new LogSearch(buffer, "error");
  assert.equal(search.refresh(), true);
  assert.deepEqual(all(search), [
    { line: 0, start: 0, end: 5 },
    { line: 2, start: 0, end: 5 },
    { line: 2, start: 11, end: 16 },
  ]);
  // The open line completes: its match shows up, finished lines are not scanned twice.
  buffer.append("or\nlast error\n");
  search.refresh();
  assert.equal(search.count, 5);
  assert.deepEqual(search.match(3), { line: 3, start: 8, end: 13 });
  assert.deepEqual(search.matchesOn(2), [
    { index: 1, start: 0, end: 5 },
    { index: 2, start: 11, end: 16 },
  ]);
  assert.equal(search.firstFrom(1), 1);
  assert.equal(search.firstFrom(5), 5);

  const exact = new LogSearch(buffer, "ERROR");
  exact.refresh();
  assert.deepEqual(all(exact), [{ line: 2, start: 11, end: 16 }]);
});

test("a search over a million lines runs in slices and finds 999999 once", () => {
  const buffer = new LogBuffer();
  buffer.append(`${Array.from({ length: 1_000_000 }, (_, i) => i + 1).join("\n")}\n`);
  const search = new LogSearch(buffer, "999999");
  let slices = 0;
  const started = performance.now();
  while (!search.refresh(performance.now() + 5)) slices++;
  const took = performance.now() - started;
  console.log(`# searched 1,000,000 lines in ${took.toFixed(0)} ms over ${slices + 1} slice(s)`);
  assert.equal(search.count, 1);
  assert.deepEqual(search.match(0), { line: 999_998, start: 0, end: 6 });
  const common = new LogSearch(buffer, "1");
  common.refresh();
  assert.ok(common.count > 400_000, `${common.count} matches of "1"`);
});

test("matches on lines the buffer dropped (maxLines) fall off; clear() starts the search again", () => {
  const buffer = new LogBuffer({ maxLines: 2 });
  const search = new LogSearch(buffer, "x");
  buffer.append("x1\nx2\n");
  search.refresh();
  assert.equal(search.count, 2);
  buffer.append("x3\n");
  search.refresh();
  assert.deepEqual(all(search), [
    { line: 0, start: 0, end: 1 },
    { line: 1, start: 0, end: 1 },
  ]);
  assert.equal(buffer.text(0), "x2");
  buffer.clear();
  buffer.append("no\n");
  search.refresh();
  assert.equal(search.count, 0);
});

test("the window renders only the visible lines, and scales past the browsers' height limit", () => {
  const base = { viewportHeight: 360, lineHeight: 18, overscan: 5 };
  const top = visibleWindow({ ...base, scrollTop: 0, lineCount: 1000 });
  assert.deepEqual(top, { extent: 18_000, first: 0, last: 25, offset: 0 });
  const middle = visibleWindow({ ...base, scrollTop: 1800, lineCount: 1000 });
  assert.deepEqual(middle, { extent: 18_000, first: 95, last: 125, offset: 95 * 18 });

  // A million lines: taller than maxScrollExtent, so the position is scaled; the end shows the last line.
  const lineCount = 1_000_000;
  const end = visibleWindow({ ...base, scrollTop: maxScrollExtent - 360, lineCount });
  assert.equal(end.extent, maxScrollExtent);
  assert.equal(end.last, lineCount);
  // The last line's bottom is the viewport's bottom.
  assert.equal(end.offset + (lineCount - end.first) * 18, maxScrollExtent);
  const halfway = visibleWindow({ ...base, scrollTop: (maxScrollExtent - 360) / 2, lineCount });
  assert.ok(Math.abs(halfway.first + 5 - (lineCount * 18 - 360) / 2 / 18) < 1);

  // scrollTopFor centres a line, scaled or not.
  const at = scrollTopFor(500_000, { viewportHeight: 360, lineCount, lineHeight: 18 });
  const shown = visibleWindow({ ...base, overscan: 0, scrollTop: at, lineCount });
  assert.ok(shown.first < 500_000 && shown.last > 500_000);
  assert.equal(scrollTopFor(3, { viewportHeight: 360, lineCount: 10, lineHeight: 18 }), 0);
});

test("segments cut spans at match edges and mark the current match", () => {
  const buffer = new LogBuffer();
  buffer.append("ab\x1b[31mcdef\x1b[0mgh\n");
  const segments = segmentsOf(
    buffer.line(0),
    [
      { index: 4, start: 1, end: 3 },
      { index: 5, start: 5, end: 7 },
    ],
    5,
  );
  assert.deepEqual(
    segments.map((segment) => [segment.text, segment.style.fg, segment.mark, segment.matchIndex]),
    [
      ["a", null, 0, undefined],
      ["b", null, 1, 4],
      ["c", 1, 1, undefined],
      ["de", 1, 0, undefined],
      ["f", 1, 2, 5],
      ["g", null, 2, undefined],
      ["h", null, 0, undefined],
    ],
  );
});
