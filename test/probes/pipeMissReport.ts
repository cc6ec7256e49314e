/**
 * Prints where bw_pipe's cache-miss stalls go on each system named on the command line
 * (default: linux, l4linux), per 64 KB block:
 *   npx tsx test/probes/pipeMissReport.ts linux l4linux [--total BYTES]
 */
import { pipeMissAttribution, type PipeAttribution } from './pipeMissAttribution';

const argv = process.argv.slice(2);
const totalAt = argv.indexOf('--total');
const total = totalAt >= 0 ? Number(argv.splice(totalAt, 2)[1]) : 4 << 20;
const systems = argv.length > 0 ? argv : ['linux', 'l4linux'];

function print(result: PipeAttribution): void {
  const round = (value: number) => value.toFixed(0).padStart(7);
  console.log(`\n${result.system}: ${result.blocks} blocks of 64 KB; per block ${round(result.cyclesPerBlock)} cycles, cacheMiss ${round(result.cacheMissPerBlock)}, tlbRefill ${round(result.tlbRefillPerBlock)}`);
  const byRegion = new Map<string, number>();
  for (const row of result.rows) byRegion.set(row.region, (byRegion.get(row.region) ?? 0) + row.charged);
  console.log('charged stall cycles by region:');
  for (const [region, charged] of [...byRegion].sort((a, b) => b[1] - a[1])) console.log(`  ${region.padEnd(32)} ${round(charged)}`);
  console.log('by region, access, level (accesses, returned stall, charged stall):');
  for (const row of result.rows) {
    if (row.charged < 1 && row.accesses < 1) continue;
    console.log(`  ${row.region.padEnd(32)} ${row.access.padEnd(5)} ${row.level.padEnd(4)} ${row.inCopy ? 'copy ' : 'other'} ${row.accesses.toFixed(1).padStart(8)} ${round(row.stall)} ${round(row.charged)}`);
  }
  const colour = (page: number) => `0x${page.toString(16)} (L2 page colour ${page % 64})`;
  console.log(`placement: pipe ${result.placement.pipe.map(colour).join(', ')}`);
  console.log(`  writer's buffer ${result.placement.writer.map(colour).join(', ')}`);
  console.log(`  reader's buffer ${result.placement.reader.map(colour).join(', ')}`);
  console.log('L1 evictions of pipe-buffer lines per block, by the evicting line:');
  for (const [region, lines] of [...result.pipeEvictions].sort((a, b) => b[1] - a[1])) console.log(`  ${region.padEnd(32)} ${lines.toFixed(1).padStart(7)}`);
}

for (const system of systems) print(pipeMissAttribution(system, total));
