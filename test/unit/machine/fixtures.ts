import { Machine, type MachineOptions } from '../../../engine/machine/machine';
import { makeLargePde, makePde, makePte, PG_USER, PG_WRITABLE } from '../../../engine/machine/paging';

/** A small machine (8 MB) with an empty page directory at 0x1000 loaded in CR3. */
export function smallMachine(options: MachineOptions = {}): Machine {
  const machine = new Machine({ ...options, parameters: { memoryMB: 8, ...options.parameters } });
  machine.cpu.loadCr3(PAGE_DIRECTORY);
  return machine;
}

export const PAGE_DIRECTORY = 0x1000;
export const PAGE_TABLE = 0x2000;

/** Maps one 4 KB page (page table at 0x2000 for the first 4 MB, 0x3000 for the next). */
export function map4k(machine: Machine, linear: number, physical: number, flags = PG_WRITABLE | PG_USER, pdeFlags = PG_WRITABLE | PG_USER): void {
  const table = PAGE_TABLE + 0x1000 * (linear >>> 22);
  machine.memory.write32(PAGE_DIRECTORY + 4 * (linear >>> 22), makePde(table, pdeFlags));
  machine.memory.write32(table + 4 * ((linear >>> 12) & 0x3ff), makePte(physical, flags));
}

export function map4m(machine: Machine, linear: number, physical: number, flags = PG_WRITABLE | PG_USER): void {
  machine.memory.write32(PAGE_DIRECTORY + 4 * (linear >>> 22), makeLargePde(physical, flags));
}

export function pte(machine: Machine, linear: number): number {
  return machine.memory.read32(PAGE_TABLE + 0x1000 * (linear >>> 22) + 4 * ((linear >>> 12) & 0x3ff));
}

export function pde(machine: Machine, linear: number): number {
  return machine.memory.read32(PAGE_DIRECTORY + 4 * (linear >>> 22));
}
