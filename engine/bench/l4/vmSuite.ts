import { SeededRandom } from '../../base/random';
import type { CycleBreakdown } from '../../base/cycleCategory';
import { fpage, receiveWindow, SEND_SHORT_MAP, type IpcResult, type L4Api, type ThreadId } from '../../l4/guestApi';
import type { ResultRecord } from '../records';
import { paperValue } from '../reference';
import { registerSuitePart, type SuiteOptions } from '../suiteRegistry';
import { breakdownPerOperation, cyclesPerOperation, L4BenchSystem, type Measurement } from './l4System';

/*
 * Suite `vm` on bare L4 (SOSP'97 Table 5, after Appel and Li, ASPLOS 1991). The test thread runs
 * under a specialized user-level pager in another task: faults in the test region are that
 * pager's business (map a page, write-enable it, protect another); every other fault (the test
 * program's code and stack) it cannot resolve and passes on, by IPC, to a thread standing for the
 * L4Linux server, which maps the page to the pager, which maps it on (recursive address spaces).
 * All memory is virtual = physical under sigma0, above its 8 MB base.
 */
const REGION = 0x01000000;
const PAGE = 4096;
const CODE = 0x00e00000;
/** A request of the test thread to its pager (not a fault: fault words have the low bits 0..2). */
const PROTECT_REQUEST = 0xfffffff8;
/** Pages protected by one request (Appel and Li's PROT100). */
const PROTECT_PAGES = 100;

type Mode = 'fault' | 'trap' | 'appel1' | 'appel2';

/** What the pager does with a fault in the test region: reply with a writable or a read-only map, and maybe protect a page. */
interface PagerPolicy {
  onFault(address: number, write: boolean, l4: L4Api): Generator<void, boolean, void>;
}

/** fpage_unmap without the flush bit: remaps the page read-only in every space it was mapped to. */
function* protect(l4: L4Api, address: number, pages: number): Generator<void, void, void> {
  // decompose [address, address + pages) into aligned power-of-two fpages
  let at = address;
  const end = address + pages * PAGE;
  while (at < end) {
    let size = 12;
    while (size < 22 && at % 2 ** (size + 1) === 0 && at + 2 ** (size + 1) <= end) size++;
    yield* l4.fpageUnmap(fpage(at, size, false), 0);
    at += 2 ** size;
  }
}

/** The Linux server's pass-on path: map its own page at the faulting address to the pager. */
function* linuxServer(l4: L4Api): Generator<void, void, void> {
  let request: IpcResult = yield* l4.ipcWait();
  for (;;) {
    const page = (request.w0 & 0xfffff000) >>> 0;
    yield* l4.touch(page, 4, false);
    request = yield* l4.ipcReplyAndWait({ low: request.sourceLow, high: request.sourceHigh }, page, fpage(page, 12, true), 0, { send: SEND_SHORT_MAP });
  }
}

/** The specialized pager: region faults by `policy`, protect requests, the rest passed on to `server`. */
function pager(server: ThreadId, regionPages: number, policy: PagerPolicy) {
  return function* (l4: L4Api): Generator<void, void, void> {
    yield* l4.userImage(CODE + 0x10500, CODE + 0x16000);
    yield* l4.touch(REGION, regionPages * PAGE, true);
    let request: IpcResult = yield* l4.ipcWait();
    for (;;) {
      const client = { low: request.sourceLow, high: request.sourceHigh };
      if (request.w0 === PROTECT_REQUEST) {
        yield* protect(l4, request.w1, PROTECT_PAGES);
        request = yield* l4.ipcReplyAndWait(client, 0, 0);
        continue;
      }
      const address = (request.w0 & 0xfffff000) >>> 0;
      const write = (request.w0 & 2) !== 0;
      let writable = true;
      if (address >= REGION && address < REGION + regionPages * PAGE) {
        writable = yield* policy.onFault(address, write, l4);
      } else {
        yield* l4.ipcCall(server, request.w0, request.w1, 0, { receive: receiveWindow(address, 12) });
      }
      request = yield* l4.ipcReplyAndWait(client, address, fpage(address, 12, writable), 0, { send: SEND_SHORT_MAP });
    }
  };
}

/** Host-side probe of the time and breakdown from a fault to its handler (vm.trap). */
class TrapProbe {
  private started = 0;
  private startBreakdown: CycleBreakdown = {};
  cycles = 0;
  readonly breakdown: Record<string, number> = {};
  count = 0;

  constructor(private readonly system: L4BenchSystem) {}

  start(): void {
    this.started = this.system.machine.now;
    this.startBreakdown = this.system.machine.accounting.breakdown();
  }

  handled(): void {
    this.cycles += this.system.machine.now - this.started;
    const now = this.system.machine.accounting.breakdown() as Record<string, number>;
    for (const [key, value] of Object.entries(now)) this.breakdown[key] = (this.breakdown[key] ?? 0) + value - ((this.startBreakdown as Record<string, number>)[key] ?? 0);
    this.count++;
  }
}

function runMode(mode: Mode, options: SuiteOptions): ResultRecord {
  const full = options.mode === 'full';
  const system = new L4BenchSystem(options.machine, { parameters: options.kernels?.l4 });
  const random = new SeededRandom(options.seed ?? 1991);
  const rounds = mode === 'appel2' ? (full ? 20 : 3) : full ? 2000 : 200;
  const regionPages = mode === 'fault' || mode === 'trap' ? rounds + 4 : PROTECT_PAGES;
  const probe = new TrapProbe(system);
  let unprotected = -1;
  const policy: PagerPolicy = {
    *onFault(address: number, write: boolean, l4: L4Api) {
      if (mode === 'trap' && write) probe.handled();
      if (mode === 'appel1' && write) {
        if (unprotected >= 0) yield* protect(l4, unprotected, 1);
        unprotected = address;
      }
      // first touches of trap/appel pages map read-only; writes enable writing
      return mode === 'fault' || write;
    },
  };
  const server = system.task(11, linuxServer);
  const pagerThread = system.kernel.createBootTask(10, pager(server, regionPages, policy));
  const pagerId = { low: pagerThread.idLow, high: pagerThread.idHigh };
  system.kernel.createBootTask(20, function* (l4: L4Api) {
    yield* l4.userImage(CODE + 0x20500, CODE + 0x26000);
    if (mode === 'fault') {
      // warm: the first region page
      yield* l4.read32(REGION);
      system.begin();
      for (let i = 1; i <= rounds; i++) yield* l4.read32(REGION + i * PAGE);
      system.end(rounds);
      return;
    }
    // map the region read-only (protected), as after mprotect(PROT_READ)
    for (let i = 0; i < regionPages; i++) yield* l4.read32(REGION + i * PAGE);
    if (mode === 'trap') {
      system.begin();
      for (let i = 0; i < rounds; i++) {
        probe.start();
        yield* l4.write32(REGION + i * PAGE, i);
      }
      system.end(rounds);
    } else if (mode === 'appel1') {
      system.begin();
      for (let i = 0; i < rounds; i++) {
        let page = random.nextU32() % regionPages;
        if (REGION + page * PAGE === unprotected) page = (page + 1) % regionPages;
        yield* l4.write32(REGION + page * PAGE, i);
      }
      system.end(rounds);
    } else {
      const order = Array.from({ length: PROTECT_PAGES }, (_, i) => i);
      system.begin();
      for (let round = 0; round < rounds; round++) {
        yield* l4.ipcCall(pagerId, PROTECT_REQUEST, REGION);
        for (let i = order.length - 1; i > 0; i--) {
          const j = random.nextU32() % (i + 1);
          [order[i], order[j]] = [order[j], order[i]];
        }
        for (const page of order) yield* l4.write32(REGION + page * PAGE, round);
      }
      system.end(rounds * PROTECT_PAGES);
    }
  }, { pager: pagerThread });
  const m = system.run();
  return record(`vm.${mode}`, mode === 'trap' ? trapMeasurement(m, probe) : m, system);
}

/** vm.trap counts only the way from the write to the handler. */
function trapMeasurement(m: Measurement, probe: TrapProbe): Measurement {
  return { ...m, start: 0, end: probe.cycles, startBreakdown: {}, endBreakdown: probe.breakdown, operations: probe.count };
}

function record(benchmark: string, m: Measurement, system: L4BenchSystem): ResultRecord {
  const micros = system.machine.cyclesToMicroseconds(cyclesPerOperation(m));
  return { suite: 'vm', system: 'l4', benchmark, unit: 'us', value: Math.round(micros * 100) / 100, paper: paperValue('l4', benchmark), breakdown: breakdownPerOperation(m), iterations: m.operations };
}

registerSuitePart({
  suite: 'vm',
  title: 'virtual-memory operations for user-level pagers (Table 5)',
  systems: ['l4'],
  run(_system, options) {
    const modes: Mode[] = ['fault', 'trap', 'appel1', 'appel2'];
    const results: ResultRecord[] = [];
    modes.forEach((mode, index) => {
      if (options.cancelled?.()) return;
      options.progress?.(index / modes.length, `vm.${mode}`);
      results.push(runMode(mode, options));
    });
    return results;
  },
});
