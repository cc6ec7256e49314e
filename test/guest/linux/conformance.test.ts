import assert from 'node:assert/strict';
import { bootLinux, type LinuxHostFactory } from '../../../engine/linux/boot';
import { LINUX_HOSTS } from '../../../engine/linux/systems';
import { CONFORMANCE_IMAGES, CONFORMANCE_PROGRAMS, type SystemUnderTest } from './conformance';

/** A fresh system per command, on every registered Linux substrate (engine/linux/systems.ts). */
function system(host: LinuxHostFactory): SystemUnderTest {
  return {
    run(command) {
      const booted = bootLinux({ host, programs: CONFORMANCE_IMAGES, initArgs: ['sh', '-c', command] });
      const outcome = booted.run(133_000_000 * 20);
      if (outcome === 'failed') throw booted.failure;
      return { status: booted.exitStatus, output: booted.machine.console.output() };
    },
  };
}

const SYSTEMS: Record<string, SystemUnderTest> = Object.fromEntries([...LINUX_HOSTS].map(([name, host]) => [name, system(host)]));

for (const [name, sut] of Object.entries(SYSTEMS)) {
  describe(`guest conformance on ${name}`, () => {
    for (const program of CONFORMANCE_PROGRAMS) {
      it(program.name, () => {
        const { status, output } = sut.run(program.name);
        assert.equal(status, 0, output);
      });
    }
  });
}
