import { fpage } from './fpage';
import type { GuestEntry, IpcResult, L4Api } from './guestApi';
import { taskOf } from './threadId';
import { TIMEOUT } from './timeout';

/** sigma0's request for "any free page" (w0), as in the L4 v2 sigma0 protocol. */
export const SIGMA0_ANY_PAGE = 0xfffffffc;

/** Reply with send timeout 0 (a dead client must not block the pager), receive never times out. */
const REPLY_TIMEOUT = TIMEOUT.encode({ sendExponent: 1, sendMantissa: 0 });

/**
 * sigma0, the initial pager (SOSP'97 §3: it "essentially represents the physical memory"): an
 * ordinary user task whose space maps all non-kernel physical memory idempotently. It answers a
 * page fault or a request for address a with a map item of the 4 KB page at a (virtual = physical)
 * if the frame is free or already owned by the requesting task; SIGMA0_ANY_PAGE gets the next
 * free frame. Other requests get an empty reply.
 */
export function sigma0Program(first: number, end: number): GuestEntry {
  return function* sigma0(l4: L4Api) {
    const owner = new Map<number, number>();
    let cursor = first;
    let request: IpcResult = yield* l4.ipcWait();
    for (;;) {
      if (request.error !== 0) {
        request = yield* l4.ipcWait();
        continue;
      }
      const client = { low: request.sourceLow, high: request.sourceHigh };
      const task = taskOf(request.sourceLow);
      let address = -1;
      if (request.w0 === SIGMA0_ANY_PAGE) {
        for (let scanned = 0; scanned < (end - first) / 4096; scanned++) {
          const candidate = cursor;
          cursor = cursor + 4096 >= end ? first : cursor + 4096;
          if (!owner.has(candidate >>> 12)) {
            address = candidate;
            break;
          }
        }
      } else {
        const page = (request.w0 & 0xfffff000) >>> 0;
        const holder = owner.get(page >>> 12);
        if (page >= first && page < end && (holder === undefined || holder === task)) address = page;
      }
      if (address >= 0) {
        owner.set(address >>> 12, task);
        request = yield* l4.ipcReplyAndWait(client, address, fpage(address, 12, true), REPLY_TIMEOUT, { send: 2 });
      } else {
        request = yield* l4.ipcReplyAndWait(client, 0, 0, REPLY_TIMEOUT);
      }
    }
  };
}
