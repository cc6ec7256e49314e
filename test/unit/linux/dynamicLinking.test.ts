import assert from 'node:assert/strict';
import type { Operation } from '../../../engine/machine/executionContext';
import { between, runGuest } from '../../../engine/bench/linux/linuxHarness';
import { bootLinux } from '../../../engine/linux/boot';
import { PENTIUM_PARAMETERS } from '../../../engine/machine/pentiumParameters';
import type { Libc } from '../../../engine/userland/libc';
import type { GuestProgram } from '../../../engine/userland/runtime';
import { USER_COSTS } from '../../../engine/userland/userParameters';

const CALLS = 200;

/** A statically linked getpid loop (no ld.so): its stub is in its own text. */
const staticGetpid: GuestProgram = {
  name: 'static_getpid', textBytes: 32 * 1024, dataBytes: 4096, bssBytes: 8192,
  *main(libc: Libc): Operation<number> {
    for (let i = 0; i < 20; i++) yield* libc.getpid();
    libc.mark('start');
    for (let i = 0; i < CALLS; i++) yield* libc.getpid();
    libc.mark('stop', CALLS);
    return 0;
  },
};

/** User cycles per getpid: dynamically linked lat_syscall minus the static loop (and its loop overhead). */
function pltCost(system: string): number {
  const user = (command: string) => between(runGuest(system, command, {}, { programs: [staticGetpid] }), 'start', 'stop', CALLS).breakdown.user ?? 0;
  return user(`lat_syscall getpid ${CALLS} 20`) - USER_COSTS.loopOverhead * PENTIUM_PARAMETERS.instruction.value - user('static_getpid');
}

describe('dynamically linked lmbench programs', () => {
  const instruction = PENTIUM_PARAMETERS.instruction.value;

  it('add a PLT jump to the libc.so.5 wrapper on native Linux and with the trampoline', () => {
    assert.equal(pltCost('linux'), USER_COSTS.pltStub * instruction);
    assert.equal(pltCost('l4linux-trampoline'), USER_COSTS.pltStub * instruction);
  });

  it('enter the emulation library straight from the PLT on L4Linux (it is the modified libc.so)', () => {
    assert.equal(pltCost('l4linux'), (USER_COSTS.pltStub - USER_COSTS.syscallStub) * instruction);
  });

  it('fail with a clear message when ld.so cannot map libc.so.5', () => {
    const system = bootLinux({ initArgs: ['sh', '-c', 'rm /lib/libc.so.5; lat_syscall getpid 10 1'] });
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.equal(system.exitStatus, 1);
    assert.match(system.machine.console.output(), /lat_syscall: can't load library 'libc.so.5' \(ENOENT\)/);
  });

  it('include the shell: without libc.so.5 a new sh cannot start, static tools still run', () => {
    const system = bootLinux({ initArgs: ['sh', '-c', 'rm /lib/libc.so.5; echo static; sh -c hello'] });
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.equal(system.exitStatus, 1);
    assert.match(system.machine.console.output(), /static\nsh: can't load library 'libc.so.5' \(ENOENT\)/);
    assert.doesNotMatch(system.machine.console.output(), /Hello world/);
  });
});
