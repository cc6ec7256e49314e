import assert from 'node:assert/strict';
import { bootLinux, type LinuxHostFactory } from '../../../engine/linux/boot';
import { LINUX_HOSTS } from '../../../engine/linux/systems';
import { CONFORMANCE_IMAGES } from './conformance';

/**
 * Differential test (STYLE.md §10): the same guest commands on every registered Linux system give
 * the same console output and the same exit status as on native Linux. Output that legitimately
 * differs between systems (timings, the substrate's name) is not printed by these commands.
 */
const COMMANDS: readonly string[] = [
  'echo hello world; cat /etc/motd /etc/passwd; ls /bin; hello',
  'false',
  'cat /no/such/file; kill 4242; echo one two > /tmp/f; cat /tmp/f; wc /tmp/f; rm /tmp/f; cat /tmp/f',
  't_forkexec; t_cow; t_pipes; t_signals; t_files; t_mmap; t_errors; t_times',
  't_highmap; t_execargs; t_mprotect; echo $?',
];

function run(host: LinuxHostFactory, command: string): { status: number | null; output: string } {
  const booted = bootLinux({ host, programs: CONFORMANCE_IMAGES, initArgs: ['sh', '-c', command] });
  const outcome = booted.run(133_000_000 * 20);
  if (outcome === 'failed') throw booted.failure;
  return { status: booted.exitStatus, output: booted.machine.console.output() };
}

const reference = LINUX_HOSTS.get('linux')!;
const others = [...LINUX_HOSTS].filter(([name]) => name !== 'linux');

describe('differential: every Linux system behaves as native Linux', () => {
  for (const command of COMMANDS) {
    it(command, () => {
      const expected = run(reference, command);
      for (const [name, host] of others) {
        const actual = run(host, command);
        assert.equal(actual.output, expected.output, `${name}: console output of '${command}'`);
        assert.equal(actual.status, expected.status, `${name}: exit status of '${command}'`);
      }
    });
  }
});
