export interface BenchRow {
  label: string;
  iterations: number;
  median: number;
  p90: number;
  ratio?: number;
  /** p90 against the baseline's p90, where a target is set at the p90. */
  p90Ratio?: number;
}

/** Runs `once` after one warm-up; reports milliseconds. */
export async function measure(label: string, iterations: number, once: () => Promise<number>): Promise<BenchRow> {
  await once();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) samples.push(await once());
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  return { label, iterations, median: at(0.5), p90: at(0.9) };
}

/**
 * Several cases sampled in turn (a, b, c, a, b, c, …) after one warm-up each, so a machine
 * that speeds up or slows down during the run moves every case alike and the ratios hold.
 */
export async function measureInterleaved(iterations: number, cases: { label: string; once: () => Promise<number> }[]): Promise<BenchRow[]> {
  for (const item of cases) await item.once();
  const samples = cases.map(() => [] as number[]);
  for (let i = 0; i < iterations; i++) {
    for (const [index, item] of cases.entries()) samples[index]!.push(await item.once());
  }
  return cases.map((item, index) => {
    const sorted = samples[index]!.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    return { label: item.label, iterations, median: at(0.5), p90: at(0.9) };
  });
}

/**
 * Like measureInterleaved, for cases whose one sample yields several figures (one request timed
 * to two events): a row per case and figure, labelled by `labels[case][figure]`.
 */
export async function measureInterleavedFigures(iterations: number, cases: { labels: Record<string, string>; once: () => Promise<Record<string, number>> }[]): Promise<Map<string, BenchRow>> {
  for (const item of cases) await item.once();
  const samples = new Map<string, number[]>();
  for (let i = 0; i < iterations; i++) {
    for (const item of cases) {
      const figures = await item.once();
      for (const [figure, label] of Object.entries(item.labels)) {
        const value = figures[figure];
        if (value === undefined) throw new Error(`the case "${label}" did not measure "${figure}"`);
        samples.set(label, [...(samples.get(label) ?? []), value]);
      }
    }
  }
  const rows = new Map<string, BenchRow>();
  for (const [label, values] of samples) {
    const sorted = values.sort((a, b) => a - b);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
    rows.set(label, { label, iterations, median: at(0.5), p90: at(0.9) });
  }
  return rows;
}

export function printTable(title: string, rows: BenchRow[]): void {
  console.log(`\n${title}`);
  const withP90 = rows.some((row) => row.p90Ratio !== undefined);
  console.log(`| case | n | median ms | p90 ms | ratio to baseline |${withP90 ? " p90 ratio |" : ""}`);
  console.log(`| --- | --- | --- | --- | --- |${withP90 ? " --- |" : ""}`);
  const times = (value: number | undefined) => (value === undefined ? "" : `${value.toFixed(2)}×`);
  for (const row of rows) {
    console.log(`| ${row.label} | ${row.iterations} | ${row.median.toFixed(1)} | ${row.p90.toFixed(1)} | ${times(row.ratio)} |${withP90 ? ` ${times(row.p90Ratio)} |` : ""}`);
  }
}
