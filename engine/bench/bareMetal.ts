import { Machine, type MachineOptions } from '../machine/machine';
import { makePde, makePte, PG_USER, PG_WRITABLE } from '../machine/paging';

/**
 * A machine with no operating system, for measuring the hardware model itself: one page
 * directory at 0x1000 whose page tables map the first `mappedMB` of physical memory 1:1 with
 * 4 KB user-writable pages, loaded into CR3. Page tables occupy the frames right after it.
 */
export function bareMetalMachine(options: MachineOptions & { mappedMB?: number } = {}): Machine {
  const machine = new Machine(options);
  const mappedMB = Math.min(options.mappedMB ?? machine.parameters.memoryMB, machine.parameters.memoryMB);
  const directory = 0x1000;
  const tables = Math.ceil(mappedMB / 4);
  for (let t = 0; t < tables; t++) {
    const table = directory + 0x1000 * (t + 1);
    machine.memory.write32(directory + 4 * t, makePde(table, PG_WRITABLE | PG_USER));
    for (let i = 0; i < 1024; i++) {
      const physical = (t * 1024 + i) * 4096;
      if (physical >= mappedMB * 1024 * 1024) break;
      machine.memory.write32(table + 4 * i, makePte(physical, PG_WRITABLE | PG_USER));
    }
  }
  machine.cpu.loadCr3(directory);
  machine.accounting.reset();
  return machine;
}

/** First physical address above the bare-metal page tables, 64 KB aligned. */
export function bareMetalFreeBase(machine: Machine): number {
  const tables = Math.ceil(machine.parameters.memoryMB / 4);
  const end = 0x1000 * (tables + 2);
  return Math.ceil(end / 0x10000) * 0x10000;
}
