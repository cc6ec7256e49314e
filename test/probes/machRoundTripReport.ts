/**
 * Prints what one warm lat_pipe round trip does on each MkLinux system named on the command line
 * (default: mklinux-kernel, mklinux-user): per-round-trip counts and cycles of every code path,
 * thread switch, system call and lock step, then the event sequence of two round trips:
 *   npx tsx test/probes/machRoundTripReport.ts mklinux-kernel mklinux-user [--rounds N] [--bw]
 * (--bw: N 64 KB blocks of bw_pipe instead; the counts are then per block)
 */
import { machRoundTripTrace } from './machRoundTripTrace';

const argv = process.argv.slice(2);
const roundsAt = argv.indexOf('--rounds');
const rounds = roundsAt >= 0 ? Number(argv.splice(roundsAt, 2)[1]) : 200;
const bwAt = argv.indexOf('--bw');
const program = bwAt >= 0 ? 'bw_pipe' : 'lat_pipe';
if (bwAt >= 0) argv.splice(bwAt, 1);
const systems = argv.length > 0 ? argv : ['mklinux-kernel', 'mklinux-user'];

for (const system of systems) {
  const trace = machRoundTripTrace(system, rounds, program);
  console.log(`\n${system} ${program}: ${trace.rounds} ${program === 'lat_pipe' ? 'round trips' : '64 KB blocks'}, ${trace.cyclesPerRound.toFixed(0)} cycles (${(trace.cyclesPerRound / 133).toFixed(1)} µs) each`);
  console.log('per round trip: count, cycles (a path: its instructions and the misses it caused)');
  for (const row of trace.totals) console.log(`  ${row.perRound.toFixed(2).padStart(6)} ${row.cyclesPerRound.toFixed(0).padStart(7)}  ${row.key}`);
  console.log('two round trips (cycle offset, cycles, thread, event):');
  const base = trace.sample[0]?.at ?? 0;
  for (const event of trace.sample) {
    console.log(`  ${(event.at - base).toFixed(0).padStart(7)} ${event.cycles.toFixed(0).padStart(6)}  ${event.thread.padEnd(18)} ${event.kind.padEnd(7)} ${event.what}`);
  }
}
