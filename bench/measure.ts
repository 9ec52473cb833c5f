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

export function printTable(title: string, rows: BenchRow[]): void {
  console.log(`\n${title}`);
  console.log("| case | n | median ms | p90 ms | ratio to baseline |");
  console.log("| --- | --- | --- | --- | --- |");
  for (const row of rows) {
    console.log(`| ${row.label} | ${row.iterations} | ${row.median.toFixed(1)} | ${row.p90.toFixed(1)} | ${row.ratio === undefined ? "" : `${row.ratio.toFixed(2)}×`} |`);
  }
}
