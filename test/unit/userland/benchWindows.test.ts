import assert from 'node:assert/strict';
import { bootLinux } from '../../../engine/linux/boot';
import { between, runGuest } from '../../../engine/bench/linux/linuxHarness';

/** Processes of `program` not yet exited (not zombies) when the guest marks 'stop'. */
function aliveAtStop(command: string, program: string): number {
  let alive = -1;
  const system = bootLinux({ initArgs: ['sh', '-c', command] });
  system.runtime.onMark = (label) => {
    if (label === 'stop') alive = [...system.kernel.tasks.values()].filter((t) => t.program === program && t.state !== 'zombie').length;
  };
  assert.equal(system.run(133e6 * 60), 'halted');
  assert.equal(system.exitStatus, 0);
  return alive;
}

/** lat_ctx's figure: cycles per switch of the ring minus one process's pipe write+read. */
function cyclesPerSwitch(command: string): number {
  const run = runGuest('linux', command, {});
  const n = run.marks.get('overhead-stop')!.value;
  const switches = run.marks.get('stop')!.value;
  return between(run, 'start', 'stop', switches).cycles - between(run, 'overhead-start', 'overhead-stop', n).cycles;
}

describe('lmbench timed windows (native Linux)', () => {
  it('every partner is still alive at the stop mark: lat_ctx, lat_pipe, lat_net, bw_pipe and bw_tcp kill and reap them after it', () => {
    assert.equal(aliveAtStop('lat_ctx 2 50 5', 'lat_ctx'), 2);
    assert.equal(aliveAtStop('lat_ctx 8 20 5', 'lat_ctx'), 8);
    assert.equal(aliveAtStop('lat_pipe 50 5', 'lat_pipe'), 2);
    assert.equal(aliveAtStop('lat_net tcp 20 5', 'lat_net'), 2);
    assert.equal(aliveAtStop('lat_net rpc-udp 20 5', 'lat_net'), 2);
    assert.equal(aliveAtStop(`bw_pipe ${1 << 20} 65536`, 'bw_pipe'), 2);
    assert.equal(aliveAtStop(`bw_tcp ${1 << 20} 65536`, 'bw_tcp'), 2);
  });

  // The lengths share 2.0's scheduler mode: the woken partner does not preempt the writer
  // (counter > current->counter + 3 fails). Lengths whose clock-tick phase leaves the partner's
  // counter 4 above the writer's (200 and 300 iterations in this build) run in the other mode,
  // one sleep and wake-up fewer per round, about 110 cycles per switch less: a property of the
  // kernel's scheduler, not of the window.
  it('lat_ctx 2 reports the same cycles per switch at 199, 250 and 400 iterations (within 1 %)', () => {
    const values = [199, 250, 400].map((n) => cyclesPerSwitch(`lat_ctx 2 ${n} 20`));
    const low = Math.min(...values);
    const high = Math.max(...values);
    assert.ok(high / low < 1.01, `cycles per switch: ${values.map((v) => v.toFixed(1)).join(', ')}`);
  });
});
