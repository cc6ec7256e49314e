import { LinuxSystem, nativeHost, type LinuxBootOptions, type LinuxHostFactory } from './boot';
import { l4linuxHost } from './l4/l4linux';
import { mklinuxKernelHost, mklinuxUserHost } from './mach/mklinuxHost';
import { checkLinuxMemory } from './memoryRequirement';
import { pentiumParameters } from '../machine/pentiumParameters';

/**
 * The Linux systems this engine can boot, each with the factory of its substrate. This is the
 * one place a new substrate is registered (L4Linux and MkLinux add their lines here); the
 * suites, `bootSystem`, the CLI and the conformance tests all read it.
 */
export const LINUX_HOSTS: ReadonlyMap<string, LinuxHostFactory> = new Map<string, LinuxHostFactory>([
  ['linux', nativeHost],
  ['l4linux', l4linuxHost(false)],
  ['l4linux-trampoline', l4linuxHost(true)],
  ['mklinux-kernel', mklinuxKernelHost],
  ['mklinux-user', mklinuxUserHost],
]);

/**
 * No substrate is registered under the system name asked for. Callers that report such a system
 * as "not available yet" catch this class, not every RangeError: configuration errors (a machine
 * too small, a parameter out of range) are RangeErrors too and keep their own message.
 */
export class UnknownSystemError extends RangeError {
  override name = 'UnknownSystemError';
}

/** The names of the bootable Linux systems, in registration order. */
export function bootableLinuxSystems(): string[] {
  return [...LINUX_HOSTS.keys()];
}

/**
 * Boots the Linux system named `system` (`linux`, `l4linux`, ...).
 * @throws UnknownSystemError when no substrate is registered under that name.
 * @throws MemoryTooSmallError when the machine's memory cannot hold the system's layout.
 */
export function bootLinuxSystem(system: string, options: LinuxBootOptions = {}): LinuxSystem {
  const host = LINUX_HOSTS.get(system);
  if (host === undefined) throw new UnknownSystemError(`cannot boot '${system}' (available: ${bootableLinuxSystems().join(', ')})`);
  checkLinuxMemory(system, pentiumParameters(options.parameters).values.memoryMB * (1 << 20), options);
  return new LinuxSystem({ ...options, host });
}
