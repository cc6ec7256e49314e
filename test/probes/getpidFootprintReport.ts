/**
 * Prints the L1 lines a warm getpid touches on each system named on the command line (default:
 * l4linux, l4linux-trampoline), by Figure 5 phase and region, the L1 sets the loop overfills and
 * the lines that miss:
 *   npx tsx test/probes/getpidFootprintReport.ts l4linux l4linux-trampoline [--calls N] [--lines]
 */
import { getpidFootprint } from './getpidFootprint';

const argv = process.argv.slice(2);
const callsAt = argv.indexOf('--calls');
const calls = callsAt >= 0 ? Number(argv.splice(callsAt, 2)[1]) : 2000;
const linesAt = argv.indexOf('--lines');
const listLines = linesAt >= 0 && argv.splice(linesAt, 1).length > 0;
const systems = argv.length > 0 ? argv : ['l4linux', 'l4linux-trampoline'];

for (const system of systems) {
  const result = getpidFootprint(system, calls);
  // lines touched by rare events (a timer tick) are not the call's footprint
  const hot = result.lines.filter((line) => line.accessesPerCall >= 0.5);
  console.log(`\n${system}: ${result.cyclesPerCall.toFixed(1)} cycles per call, ${result.tlbMissesPerCall.toFixed(3)} page walks per call, ${hot.length} L1 lines touched by every call`);
  const counts = new Map<string, number>();
  for (const line of hot) counts.set(`${line.phase.padEnd(26)} ${line.kind.padEnd(5)} ${line.region}`, (counts.get(`${line.phase.padEnd(26)} ${line.kind.padEnd(5)} ${line.region}`) ?? 0) + 1);
  console.log('lines by the phase that first touches them, code or data, region:');
  for (const [key, count] of [...counts].sort()) console.log(`  ${String(count).padStart(3)}  ${key}`);
  const outside = hot.filter((line) => line.phase !== 'LINUX' && line.phase !== 'user').length;
  const glue = hot.filter((line) => line.region.startsWith('server glue')).length;
  console.log(`outside LINUX and the user program: ${outside} lines; with the server glue (in LINUX): ${outside + glue} (SOSP'97 Fig. 5: 45)`);
  for (const conflict of result.conflicts) {
    console.log(`L1-${conflict.kind === 'code' ? 'I' : 'D'} set ${conflict.set}: ${conflict.lines.map((line) => `${line.region} 0x${(line.line * 32).toString(16)} (${line.missesPerCall.toFixed(2)} misses/call)`).join(', ')}`);
  }
  if (listLines) for (const line of hot) console.log(`  ${line.kind} 0x${(line.line * 32).toString(16)} set ${line.line & 127} ${line.region} | ${line.phase} ${line.accessesPerCall.toFixed(2)} accesses, ${line.missesPerCall.toFixed(2)} misses per call`);
}
