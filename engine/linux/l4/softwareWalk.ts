import { CAT } from '../../machine/cpu';
import type { Machine } from '../../machine/machine';
import { PG_PRESENT, PG_USER, PG_WRITABLE } from '../../machine/paging';
import type { L4LinuxParameters } from './l4linuxParameters';

/** Result of a software translation: the physical address, or why the walk failed. */
export type SoftwareWalkResult =
  | { readonly ok: true; readonly physical: number }
  | { readonly ok: false; readonly reason: 'notPresent' | 'protection' };

/**
 * One copyin/copyout translation of the L4Linux server (SOSP'97 §4.3): the server cannot use the
 * MMU on the user's address space, so it walks Linux's logical page tables (Pentium format, kept
 * in simulated memory beside L4's hardware tables) in software. The cost is `softWalkSimple`
 * instructions plus the two table loads (one instruction each) plus whatever the cache model
 * charges for the PDE and PTE reads — the paper's 11–30 cycles depending on L1/L2 hits emerges
 * from those reads, not from a constant. Charged to the Linux-server category.
 */
export function softwareTranslate(
  machine: Machine,
  parameters: L4LinuxParameters,
  pageDirectoryPhysical: number,
  linear: number,
  write: boolean,
): SoftwareWalkResult {
  const instruction = machine.parameters.instruction;
  let cycles = (parameters.softWalkSimple + 2) * instruction;
  const pdeAddress = (pageDirectoryPhysical + ((linear >>> 22) << 2)) >>> 0;
  cycles += machine.caches.readData(pdeAddress);
  const pde = machine.memory.read32(pdeAddress);
  let result: SoftwareWalkResult;
  if ((pde & PG_PRESENT) === 0) {
    result = { ok: false, reason: 'notPresent' };
  } else {
    const pteAddress = ((pde & 0xfffff000) + (((linear >>> 12) & 0x3ff) << 2)) >>> 0;
    cycles += machine.caches.readData(pteAddress);
    const pte = machine.memory.read32(pteAddress);
    if ((pte & PG_PRESENT) === 0) result = { ok: false, reason: 'notPresent' };
    else if ((pte & PG_USER) === 0 || (write && (pte & PG_WRITABLE) === 0)) result = { ok: false, reason: 'protection' };
    else result = { ok: true, physical: ((pte & 0xfffff000) | (linear & 0xfff)) >>> 0 };
  }
  machine.cpu.charge(cycles, CAT.linuxServer);
  return result;
}
