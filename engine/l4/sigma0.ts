import { fpage, isIoFpage } from './fpage';
import { ioFpageRange } from './ioSpace';
import type { GuestEntry, IpcResult, L4Api } from './guestApi';
import { taskOf } from './threadId';
import { TIMEOUT } from './timeout';

/** sigma0's request for "any free page" (w0), as in the L4 v2 sigma0 protocol. */
export const SIGMA0_ANY_PAGE = 0xfffffffc;

/**
 * Second word of a request for the 4 MB superpage around w0 (an fpage word of size 22, as the L4
 * v2 sigma0 protocol has it); page faults never carry it (their w1 is an EIP entry handle).
 */
export const SIGMA0_SUPERPAGE_REQUEST = 22 << 2;
const SUPERPAGE_BYTES = 1 << 22;

/**
 * Second word of a request for I/O ports (lab convention): w0 is the I/O fpage wanted. sigma0
 * owns every port and gives each to one task only, as it does with frames.
 */
export const SIGMA0_IO_REQUEST = 0xf0000000;

/** Reply with send timeout 0 (a dead client must not block the pager), receive never times out. */
const REPLY_TIMEOUT = TIMEOUT.encode({ sendExponent: 1, sendMantissa: 0 });

/**
 * sigma0, the initial pager (SOSP'97 §3: it "essentially represents the physical memory"): an
 * ordinary user task whose space maps all non-kernel physical memory idempotently. It answers a
 * page fault or a request for address a with a map item of the 4 KB page at a (virtual = physical)
 * if the frame is free or already owned by the requesting task; SIGMA0_ANY_PAGE gets the next
 * free frame; SIGMA0_SUPERPAGE_REQUEST gets the whole aligned 4 MB (when all of it is free or
 * the requester's; else the 4 KB page); SIGMA0_IO_REQUEST gets the I/O fpage in w0 if no other
 * task holds one of its ports. Other requests get an empty reply.
 */
export function sigma0Program(first: number, end: number): GuestEntry {
  return function* sigma0(l4: L4Api) {
    const owner = new Map<number, number>();
    const ports = new Map<number, number>();
    let cursor = first;
    const ownedBy = (base: number, bytes: number, task: number): boolean => {
      for (let page = base; page < base + bytes; page += 4096) {
        const holder = owner.get(page >>> 12);
        if (holder !== undefined && holder !== task) return false;
      }
      return true;
    };
    const pageFor = (w0: number, task: number): number => {
      const page = (w0 & 0xfffff000) >>> 0;
      return page >= first && page < end && ownedBy(page, 4096, task) ? page : -1;
    };
    let request: IpcResult = yield* l4.ipcWait();
    for (;;) {
      if (request.error !== 0) {
        request = yield* l4.ipcWait();
        continue;
      }
      const client = { low: request.sourceLow, high: request.sourceHigh };
      const task = taskOf(request.sourceLow);
      if (request.w1 === SIGMA0_IO_REQUEST && isIoFpage(request.w0)) {
        const { port, count } = ioFpageRange(request.w0);
        let free = true;
        for (let current = port; current < port + count; current++) if ((ports.get(current) ?? task) !== task) free = false;
        if (free) for (let current = port; current < port + count; current++) ports.set(current, task);
        request = yield* l4.ipcReplyAndWait(client, 0, free ? request.w0 : 0, REPLY_TIMEOUT, { send: free ? 2 : 0 });
        continue;
      }
      let address = -1;
      let size = 12;
      if (request.w0 === SIGMA0_ANY_PAGE) {
        for (let scanned = 0; scanned < (end - first) / 4096; scanned++) {
          const candidate = cursor;
          cursor = cursor + 4096 >= end ? first : cursor + 4096;
          if (!owner.has(candidate >>> 12)) {
            address = candidate;
            break;
          }
        }
      } else if ((request.w1 & 0xff) === SIGMA0_SUPERPAGE_REQUEST) {
        const base = (request.w0 & ~(SUPERPAGE_BYTES - 1)) >>> 0;
        if (base >= first && base + SUPERPAGE_BYTES <= end && ownedBy(base, SUPERPAGE_BYTES, task)) size = 22;
        address = size === 22 ? base : pageFor(request.w0, task);
      } else {
        address = pageFor(request.w0, task);
      }
      if (address >= 0) {
        for (let page = address; page < address + 2 ** size; page += 4096) owner.set(page >>> 12, task);
        request = yield* l4.ipcReplyAndWait(client, address, fpage(address, size, true), REPLY_TIMEOUT, { send: 2 });
      } else {
        request = yield* l4.ipcReplyAndWait(client, 0, 0, REPLY_TIMEOUT);
      }
    }
  };
}
