import type { LinuxHostFactory } from '../boot';
import { MkLinux } from './mklinux';

/** MkLinux with the Linux server as a user-mode Mach task (`mklinux-user`). */
export const mklinuxUserHost: LinuxHostFactory = (machine, runtime, options) => new MkLinux(machine, runtime, false, { linux: options.linux, mach: options.mach, mklinux: options.mklinux });

/** MkLinux with the Linux server co-located in the Mach kernel's address space (`mklinux-kernel`). */
export const mklinuxKernelHost: LinuxHostFactory = (machine, runtime, options) => new MkLinux(machine, runtime, true, { linux: options.linux, mach: options.mach, mklinux: options.mklinux });
