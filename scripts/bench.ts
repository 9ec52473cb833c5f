// npm run bench: every benchmark prints medians and ratios against a baseline measured
// in the same process, on this machine, now.
import os from "node:os";
import { benchAgentRoundTrip } from "../bench/agent-round-trip";
import { benchApiLoad, printApiLoad } from "../bench/api-load";
import { benchDashboard } from "../bench/dashboard";
import { benchDispatch, dispatchTitle } from "../bench/dispatch";
import { benchEgressProxy } from "../bench/egress-proxy";
import { benchImagePull } from "../bench/image-pull";
import { benchInteractive, printInteractive } from "../bench/interactive";
import { benchLogThroughput } from "../bench/log-throughput";
import { benchMemory } from "../bench/memory";
import { benchScheduler } from "../bench/scheduler";
import { benchRuntimeCreateStart } from "../bench/runtime-create-start";
import { benchWorkspaceResults } from "../bench/workspace-results";
import { benchWarmPoolAgent } from "../bench/warm-pool-agent";
import { printTable } from "../bench/measure";

console.log(`Bailey benchmarks — ${new Date().toISOString()} — ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}, ${Math.round(os.totalmem() / 1024 ** 3)} GiB, Node ${process.version}`);
printTable("Container create+start (runtime layer)", await benchRuntimeCreateStart());
printTable("Agent round trip (ms per call)", await benchAgentRoundTrip());
printTable(dispatchTitle, await benchDispatch());
printTable("Warm pool at the agent: run.create+start → first output byte (ratio: to cold on the same runtime)", await benchWarmPoolAgent());
printTable("Image pull: a never-seen 16 MiB image from the loopback registry, then warm (runc)", await benchImagePull());
printTable("Workspace clone and results upload: a 50 MiB repository cloned, a 50 MiB artifact shipped (runc, over SSH)", await benchWorkspaceResults());
console.log("\nLog streaming: 100 MiB of a finished run's output read by an API client");
console.log("| path | MiB/s | ratio to baseline |");
console.log("| --- | --- | --- |");
for (const row of await benchLogThroughput()) console.log(`| ${row.label} | ${row.mibPerSecond.toFixed(1)} | ${row.ratio.toFixed(2)}× |`);
const egress = await benchEgressProxy();
console.log("\nEgress proxy: sequential small GETs over one kept-alive connection, loopback HTTPS upstream");
console.log("| path | requests | median ms | p95 ms | median ratio to baseline |");
console.log("| --- | --- | --- | --- | --- |");
for (const row of egress.latency) console.log(`| ${row.label} | ${row.requests} | ${row.medianMs.toFixed(2)} | ${row.p95Ms.toFixed(2)} | ${row.ratio.toFixed(2)}× |`);
console.log("\nEgress proxy: one download, loopback HTTPS upstream");
console.log("| path | MiB/s | ratio to baseline |");
console.log("| --- | --- | --- |");
for (const row of egress.throughput) console.log(`| ${row.label} | ${row.mibPerSecond.toFixed(1)} | ${row.ratio.toFixed(2)}× |`);
const scheduler = await benchScheduler();
printTable("Scheduler placement: 5,000 queued runs, 50 hosts (5 teams), capacity accounting only", scheduler.rows);
const sortedRounds = [...scheduler.roundMs].sort((a, b) => a - b);
console.log(
  `${scheduler.placementsPerSecond.toFixed(0)} placements per second; ${scheduler.rounds} placement rounds of up to 500 runs, median ${sortedRounds[Math.floor(sortedRounds.length / 2)]!.toFixed(0)} ms each`,
);
printApiLoad(await benchApiLoad());
printInteractive(await benchInteractive());
const dashboard = await benchDashboard();
printTable("Dashboard in Chromium (ms from navigation until the page's data is shown and usable)", dashboard.rows);
console.log("\nJavaScript loaded per page (decoded KiB, first visit in the session)");
for (const row of dashboard.scripts) console.log(`| ${row.label} | ${row.kib.toFixed(0)} KiB |`);
const memory = await benchMemory();
console.log("\nResident memory (MiB)");
console.log("| process | RSS MiB | ratio to bare node |");
console.log("| --- | --- | --- |");
for (const row of memory) console.log(`| ${row.label} | ${row.mib.toFixed(0)} | ${(row.mib / memory[0]!.mib).toFixed(2)}× |`);
