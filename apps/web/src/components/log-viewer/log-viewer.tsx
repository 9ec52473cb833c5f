"use client";

import { type KeyboardEvent, memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from "react";
import { Button } from "~/components/ui/button";
import { Input } from "~/components/ui/input";
import { cn } from "~/lib/utils";
import type { LogBuffer } from "./log-buffer";
import { LogSearch } from "./log-search";
import { styleCss } from "./log-style";
import styles from "./log-viewer.module.css";
import { type Segment, scrollTopFor, segmentsOf, visibleWindow } from "./virtual-window";

/** Fixed, so a line's position is arithmetic: line × lineHeight (matches leading-[18px]). */
const lineHeight = 18;
/** Lines rendered above and below the viewport, so a fast wheel does not show blanks. */
const overscan = 30;
/** A search scans for at most this long per slice, then lets the page breathe. */
const searchSliceMs = 12;

export interface LogViewerProps {
  buffer: LogBuffer;
  /** Start at the bottom and stay there while output arrives (default true). */
  follow?: boolean;
  /** The scrolling area's height: px, or any CSS length (default 28rem). */
  height?: number | string;
  /** Shown when the buffer has no lines. */
  emptyText?: string;
  /** Controls put at the end of the toolbar (a Download button…). */
  actions?: React.ReactNode;
  className?: string;
  /** On the scrolling area, which holds the lines. */
  "data-testid"?: string;
}

/** Re-renders at most once per animation frame however often the buffer changes. */
function useBufferVersion(buffer: LogBuffer): number {
  const [version, setVersion] = useState(buffer.version);
  useEffect(() => {
    let frame = 0;
    const unsubscribe = buffer.subscribe(() => {
      frame ||= requestAnimationFrame(() => {
        frame = 0;
        setVersion(buffer.version);
      });
    });
    setVersion(buffer.version);
    return () => {
      unsubscribe();
      cancelAnimationFrame(frame);
    };
  }, [buffer]);
  return version;
}

/**
 * A log as a terminal shows it (ANSI colours, progress lines rewritten in place), virtualised:
 * only the lines in view (plus overscan) are in the DOM, at a fixed line height, so a million
 * lines scroll like ten. Past ~830,000 lines the scroll area would outgrow what browsers allow;
 * the position is then scaled (see virtual-window.ts). Search highlights every match and steps
 * through them; follow keeps the newest line in view until the reader scrolls up.
 */
export function LogViewer({ buffer, follow = true, height = "28rem", emptyText = "(no output yet)", actions, className, "data-testid": testId }: LogViewerProps) {
  const version = useBufferVersion(buffer);
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewportHeight, setViewportHeight] = useState(0);
  const [following, setFollowing] = useState(follow);
  const lastScrollTop = useRef(0);

  const [query, setQuery] = useState("");
  const [search, setSearch] = useState<LogSearch | null>(null);
  // Which search has scanned the whole log: a flag of its own would still say "done" from the last
  // search for a render after a new one starts, and the jump to the first match would run on an
  // unscanned log (no matches yet), then never again ("– of 1" on a million lines).
  const [scanned, setScanned] = useState<LogSearch | null>(null);
  const searchDone = search !== null && scanned === search;
  const [, setSearchTick] = useState(0);
  const [current, setCurrent] = useState(-1);
  /** Set when the current match changed: after the render, bring it into view. */
  const reveal = useRef(false);
  /** A new search jumps to its first match below the top of the view once the scan is done. */
  const pendingJump = useRef(false);

  const lineCount = buffer.lineCount;
  const view = visibleWindow({ scrollTop, viewportHeight, lineCount, lineHeight, overscan });

  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element) return;
    const observer = new ResizeObserver(() => setViewportHeight(element.clientHeight));
    observer.observe(element);
    setViewportHeight(element.clientHeight);
    return () => observer.disconnect();
  }, []);

  // Following: the newest line stays in view. Before paint, so no frame shows the old position.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version and lineCount are what moves the bottom
  useLayoutEffect(() => {
    const element = scroller.current;
    if (!element || !following) return;
    element.scrollTop = element.scrollHeight;
    lastScrollTop.current = element.scrollTop;
    setScrollTop(element.scrollTop);
  }, [following, version, lineCount, viewportHeight]);

  const onScroll = useCallback(() => {
    const element = scroller.current;
    if (!element) return;
    const top = element.scrollTop;
    const atBottom = element.scrollHeight - element.clientHeight - top <= 2;
    if (atBottom) setFollowing(true);
    else if (top < lastScrollTop.current) setFollowing(false);
    lastScrollTop.current = top;
    setScrollTop(top);
  }, []);

  // Output can arrive between a wheel turn and its scroll event, and following would then pull the
  // view back down: the intent to go up stops following at once.
  const stopFollowing = useCallback(() => setFollowing(false), []);
  const onWheel = useCallback((event: React.WheelEvent) => event.deltaY < 0 && setFollowing(false), []);
  const onKeyDown = useCallback((event: KeyboardEvent) => {
    if (event.key === "ArrowUp" || event.key === "PageUp" || event.key === "Home") setFollowing(false);
  }, []);

  // A new query (debounced: each keystroke would rescan a million lines), or a new buffer.
  useEffect(() => {
    if (!query) {
      setSearch(null);
      setCurrent(-1);
      return;
    }
    const timer = setTimeout(() => {
      setSearch(new LogSearch(buffer, query));
      setCurrent(-1);
      pendingJump.current = true;
    }, 150);
    return () => clearTimeout(timer);
  }, [query, buffer]);

  // Scan what is new, in slices so the page keeps answering while a big log is searched.
  // biome-ignore lint/correctness/useExhaustiveDependencies: version is when there is more to scan
  useEffect(() => {
    if (!search) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const step = () => {
      const done = search.refresh(performance.now() + searchSliceMs);
      setScanned(done ? search : null);
      setSearchTick((tick) => tick + 1);
      if (!done) timer = setTimeout(step, 0);
    };
    step();
    return () => clearTimeout(timer);
  }, [search, version]);

  const goTo = useCallback(
    (index: number) => {
      const element = scroller.current;
      const match = search?.match(index);
      if (!element || !match) return;
      setFollowing(false);
      setCurrent(index);
      element.scrollTop = scrollTopFor(match.line, { viewportHeight: element.clientHeight, lineCount: buffer.lineCount, lineHeight });
      lastScrollTop.current = element.scrollTop;
      setScrollTop(element.scrollTop);
      reveal.current = true;
    },
    [search, buffer],
  );

  // The first match at or below the top of the view, once the whole log has been scanned.
  useEffect(() => {
    if (!search || !searchDone || !pendingJump.current) return;
    pendingJump.current = false;
    if (search.count === 0) return;
    const top = visibleWindow({ scrollTop: lastScrollTop.current, viewportHeight, lineCount: buffer.lineCount, lineHeight, overscan: 0 }).first;
    const from = search.firstFrom(top);
    goTo(from < search.count ? from : 0);
  });

  // After a jump: the current match in view sideways too (a long line), now that it is rendered.
  useLayoutEffect(() => {
    if (!reveal.current) return;
    reveal.current = false;
    scroller.current?.querySelector("mark[data-current]")?.scrollIntoView({ block: "nearest", inline: "nearest" });
  });

  const count = search?.count ?? 0;
  const step = (direction: 1 | -1) => {
    if (!search || count === 0) return;
    goTo(current < 0 ? (direction === 1 ? 0 : count - 1) : (current + direction + count) % count);
  };
  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === "Enter") {
      event.preventDefault();
      step(event.shiftKey ? -1 : 1);
    } else if (event.key === "Escape") {
      setQuery("");
    }
  };

  const rows = [];
  for (let line = view.first; line < view.last; line++) {
    const segments = segmentsOf(buffer.line(line), search ? search.matchesOn(line) : [], current);
    rows.push(<LogLine key={line} number={buffer.lineOffset + line + 1} segments={segments} />);
  }
  const digits = String(buffer.lineOffset + lineCount).length;

  return (
    <div className={cn("space-y-2", className)}>
      <div className="flex flex-wrap items-center gap-2">
        <Input type="search" aria-label="Search logs" placeholder="Search" value={query} onChange={(event) => setQuery(event.target.value)} onKeyDown={onSearchKey} className="w-48" />
        <Button variant="ghost" className="px-2" aria-label="Previous match" title="Previous match (Shift+Enter)" disabled={count === 0} onClick={() => step(-1)}>
          ↑
        </Button>
        <Button variant="ghost" className="px-2" aria-label="Next match" title="Next match (Enter)" disabled={count === 0} onClick={() => step(1)}>
          ↓
        </Button>
        <span className="min-w-20 text-xs text-zinc-500 tabular-nums dark:text-zinc-400" data-testid="log-search-count" aria-live="polite">
          {!search ? "" : !searchDone && count === 0 ? "searching…" : count === 0 ? "no matches" : `${current < 0 ? "–" : (current + 1).toLocaleString("en")} of ${count.toLocaleString("en")}`}
        </span>
        <div className="ml-auto flex gap-2">
          <Button
            variant="secondary"
            aria-pressed={following}
            title={following ? "Following new output: scroll up to stop" : "Jump to the end and follow new output"}
            onClick={() => setFollowing((was) => !was)}
          >
            {following ? "Following" : "Follow"}
          </Button>
          {actions}
        </div>
      </div>
      <div
        ref={scroller}
        role="region"
        aria-label="Log output"
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolling region must take focus so keys (End, PageUp…) scroll it
        tabIndex={0}
        data-testid={testId}
        data-following={following}
        data-lines={lineCount}
        onScroll={onScroll}
        onWheel={onWheel}
        onKeyDown={onKeyDown}
        onTouchMove={stopFollowing}
        className={cn(
          styles.palette,
          "relative overflow-auto rounded-lg border border-zinc-200 bg-zinc-50 font-mono text-xs leading-[18px] text-zinc-900 focus-visible:outline-2 focus-visible:outline-zinc-500 dark:border-zinc-800 dark:bg-zinc-950 dark:text-zinc-100",
        )}
        style={{ height }}
      >
        <div style={{ height: view.extent, position: "relative" }}>
          <div className="absolute left-0 top-0 w-max min-w-full" style={{ transform: `translateY(${view.offset}px)`, "--log-gutter": `${digits + 2}ch` } as React.CSSProperties}>
            {rows}
          </div>
        </div>
        {lineCount === 0 ? <p className="absolute inset-0 p-3 text-zinc-500">{emptyText}</p> : null}
      </div>
    </div>
  );
}

/**
 * One line. Its number is a pseudo-element (data-line), so it is neither selected nor copied with
 * the text. Memoised on its segments' content: scrolling re-renders only lines that came into view.
 */
const LogLine = memo(
  function LogLine({ number, segments }: { number: number; segments: Segment[] }) {
    return (
      <div
        data-line={number}
        className="h-[18px] whitespace-pre pr-3 before:inline-block before:w-[var(--log-gutter)] before:pr-[2ch] before:text-right before:text-zinc-400 before:content-[attr(data-line)] before:select-none dark:before:text-zinc-600"
      >
        {segments.map((segment, index) => {
          const style = styleCss(segment.style);
          if (segment.mark === 0) {
            return style ? (
              // biome-ignore lint/suspicious/noArrayIndexKey: a line's segments have no identity beyond their order
              <span key={index} style={style}>
                {segment.text}
              </span>
            ) : (
              segment.text
            );
          }
          return (
            <mark
              // biome-ignore lint/suspicious/noArrayIndexKey: as above
              key={index}
              // The highlight shows over an ANSI background.
              style={style ? { ...style, backgroundColor: undefined } : undefined}
              data-current={segment.mark === 2 ? "" : undefined}
              className={cn("rounded-sm text-inherit", segment.mark === 2 ? "bg-orange-300 dark:bg-orange-500/70" : "bg-yellow-200 dark:bg-yellow-500/40")}
            >
              {segment.text}
            </mark>
          );
        })}
      </div>
    );
  },
  // Finished lines never change: only the one being written, and a line whose highlight moved, re-render.
  (before, after) => before.number === after.number && sameSegments(before.segments, after.segments),
);

function sameSegments(a: Segment[], b: Segment[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    const y = b[i];
    if (!x || !y || x.text !== y.text || x.style !== y.style || x.mark !== y.mark) return false;
  }
  return true;
}
