const hourMs = 3_600_000;

/** The hours an overview covers: whole UTC hours, the last one the hour in progress. */
export interface OverviewWindow {
  hours: number;
  /** The start of the first hour. */
  from: Date;
  /** The moment the overview was taken: the end of the last, partial hour. */
  to: Date;
}

export const maxOverviewHours = 24 * 7;

export function overviewWindow(hours: number, now: Date): OverviewWindow {
  const currentHour = Math.floor(now.getTime() / hourMs) * hourMs;
  return { hours, from: new Date(currentHour - (hours - 1) * hourMs), to: now };
}

/** The start of each hour of the window, oldest first. */
export function hourStarts(window: OverviewWindow): Date[] {
  return Array.from({ length: window.hours }, (_, index) => new Date(window.from.getTime() + index * hourMs));
}

/**
 * Which hour of the window a time falls in, as an index into hourStarts. Timestamps are
 * compared as epoch milliseconds: Run's columns are UTC wall times without a zone, and
 * extract(epoch …) on them counts from 1970-01-01 UTC whatever the session's time zone.
 */
export function hourIndex(window: OverviewWindow, epochMs: number): number {
  return Math.floor((epochMs - window.from.getTime()) / hourMs);
}

/** A Date as the UTC wall time Postgres' timestamp(3) columns hold, for a ::timestamp cast. */
export function utcWallTime(date: Date): string {
  return date.toISOString().replace("Z", "");
}
