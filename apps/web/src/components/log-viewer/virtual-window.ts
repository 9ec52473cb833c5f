import type { LogSpan, LogStyle } from "./log-style";

/**
 * The tallest scroll area the viewer makes. Browsers cap an element's height (Chromium and Safari
 * near 33.5 M px, Firefox near 17.9 M px); past this the scroll position is scaled onto the lines
 * instead (1,000,000 lines × 18 px = 18 M px already is, so every browser reaches the last line).
 */
export const maxScrollExtent = 15_000_000;

export interface WindowInput {
  scrollTop: number;
  viewportHeight: number;
  lineCount: number;
  lineHeight: number;
  overscan: number;
}

export interface VisibleWindow {
  /** The height of the scrolled content, in px. */
  extent: number;
  /** Lines [first, last) are rendered. */
  first: number;
  last: number;
  /** Where line `first` goes, in px from the top of the scrolled content. */
  offset: number;
}

/** Which lines to render for a scroll position, and where. */
export function visibleWindow({ scrollTop, viewportHeight, lineCount, lineHeight, overscan }: WindowInput): VisibleWindow {
  const content = lineCount * lineHeight;
  const extent = Math.min(content, maxScrollExtent);
  const maxScroll = Math.max(0, extent - viewportHeight);
  const top = Math.min(Math.max(0, scrollTop), maxScroll);
  // Unscaled, the content's top is the scroll position; scaled, the same fraction of the way down.
  const virtualTop = extent === content || maxScroll === 0 ? top : (top / maxScroll) * (content - viewportHeight);
  const first = Math.max(0, Math.floor(virtualTop / lineHeight) - overscan);
  const last = Math.min(lineCount, Math.ceil((virtualTop + viewportHeight) / lineHeight) + overscan);
  return { extent, first, last, offset: top + first * lineHeight - virtualTop };
}

/** The scroll position that shows `line` in the middle of the viewport. */
export function scrollTopFor(line: number, { viewportHeight, lineCount, lineHeight }: Omit<WindowInput, "scrollTop" | "overscan">): number {
  const content = lineCount * lineHeight;
  const extent = Math.min(content, maxScrollExtent);
  const maxScroll = Math.max(0, extent - viewportHeight);
  const maxVirtual = Math.max(0, content - viewportHeight);
  const virtualTop = Math.min(Math.max(0, line * lineHeight - (viewportHeight - lineHeight) / 2), maxVirtual);
  return extent === content || maxVirtual === 0 ? virtualTop : (virtualTop / maxVirtual) * maxScroll;
}

/** A piece of a rendered line: a span's text and style, and whether a search match covers it. */
export interface Segment {
  text: string;
  style: LogStyle;
  /** 0: no match; 1: a match; 2: the current match. */
  mark: 0 | 1 | 2;
  /** The match's index, on its first segment (where the viewer scrolls to). */
  matchIndex?: number;
}

/** Cuts a line's spans at the edges of its search matches. */
export function segmentsOf(spans: readonly LogSpan[], matches: readonly { index: number; start: number; end: number }[], current: number): Segment[] {
  if (matches.length === 0) return spans.map((span) => ({ text: span.text, style: span.style, mark: 0 }));
  const segments: Segment[] = [];
  let column = 0;
  let m = 0;
  for (const span of spans) {
    const spanEnd = column + span.text.length;
    let at = column;
    while (at < spanEnd) {
      while (m < matches.length && (matches[m]?.end ?? 0) <= at) m++;
      const match = matches[m];
      if (!match || match.start >= spanEnd) {
        segments.push({ text: span.text.slice(at - column), style: span.style, mark: 0 });
        break;
      }
      if (match.start > at) {
        segments.push({ text: span.text.slice(at - column, match.start - column), style: span.style, mark: 0 });
        at = match.start;
      }
      const to = Math.min(match.end, spanEnd);
      const segment: Segment = { text: span.text.slice(at - column, to - column), style: span.style, mark: match.index === current ? 2 : 1 };
      if (at === match.start) segment.matchIndex = match.index;
      segments.push(segment);
      at = to;
    }
    column = spanEnd;
  }
  return segments;
}
