import { paperValue } from '../reference';
import { registerSuitePart } from '../suiteRegistry';
import { linuxSuiteSystems, between, megabytesPerSecond, QUICK_BW_PIPE_BYTES, round, runGuest } from './linuxHarness';

/**
 * Suite `pipe`, row (1) of SOSP'97 Table 4 on native Linux: latency of a 1-byte round trip
 * between two processes over two pipes (lat_pipe), and bandwidth of 64 KB writes through one
 * pipe (bw_pipe; ~50 MB in full mode, 16 MB in quick mode: see {@link QUICK_BW_PIPE_BYTES}).
 */
registerSuitePart({
  suite: 'pipe',
  title: 'pipe latency and bandwidth (Table 4)',
  systems: linuxSuiteSystems(),
  run(system, options) {
    const full = options.mode === 'full';
    const rounds = full ? 10_000 : 1_000;
    const latency = runGuest(system, `lat_pipe ${rounds} 100`, options);
    const lat = between(latency, 'start', 'stop', rounds);
    const total = full ? 50 << 20 : QUICK_BW_PIPE_BYTES;
    const bandwidth = runGuest(system, `bw_pipe ${total} 65536`, options);
    const bytes = bandwidth.marks.get('stop')!.value;
    const bw = between(bandwidth, 'start', 'stop', bytes / 65536);
    return [
      { suite: 'pipe', system, benchmark: 'pipe.latency', unit: 'us', value: round(lat.cycles / latency.clockMHz, 2), paper: paperValue(system, 'pipe.latency'), breakdown: lat.breakdown, iterations: rounds },
      {
        suite: 'pipe', system, benchmark: 'pipe.bandwidth', unit: 'MB/s',
        value: round(megabytesPerSecond(bytes, bw.cycles * (bytes / 65536), bandwidth.clockMHz), 2),
        paper: paperValue(system, 'pipe.bandwidth'), breakdown: bw.breakdown, iterations: bytes / 65536,
      },
    ];
  },
});
