export interface BenchRow {
  label: string;
  iterations: number;
  median: number;
  p90: number;
  ratio?: number;
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

export function printTable(title: string, rows: BenchRow[]): void {
  console.log(`\n${title}`);
  console.log("| case | n | median ms | p90 ms | ratio to baseline |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(`| ${row.label} | ${row.iterations} | ${row.median.toFixed(1)} | ${row.p90.toFixed(1)} | ${row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}×`} |`);
  }
}
