/// <reference path="./l4lab.d.ts" />
// A user-level pager on L4: the client asks for a page at an address (as a page fault would,
// the faulting address in w0) with a receive window; the pager answers with a map item for a
// page of its own memory, so the page appears in the client's space (SOSP'97 §5.5, and the
// map-RPC row of Table 4). The client touches the page, unmaps it, and the lab reports the
// cost of one fault-map-touch-unmap round.

const POOL = 0x00800000; // the pager's own pages (it gets them from sigma0 on first touch)
const POOL_PAGES = 16;
const WINDOW = 0x02000000; // where the client receives the page

/** The pager thread: map one of its pages for every request. */
export function* server(l4: L4.Api, lab: L4.Lab): L4.Activity {
  yield* l4.touch(POOL, POOL_PAGES * 4096, true);
  let next = 0;
  let fault = yield* l4.ipcWait();
  for (;;) {
    const page = POOL + (next++ % POOL_PAGES) * 4096;
    const item = lab.abi.fpage(page, 12, true);
    fault = yield* l4.ipcReplyAndWait({ low: fault.sourceLow, high: fault.sourceHigh }, page, item, 0, { send: lab.abi.SEND_SHORT_MAP });
  }
}

/** The client thread: fault a page in through the pager, touch it, unmap it; `lab.rounds` times. */
export function* client(l4: L4.Api, pager: L4.ThreadId, lab: L4.Lab): L4.Activity {
  const window = lab.abi.receiveWindow(WINDOW, 12);
  lab.begin();
  for (let round = 0; round < lab.rounds; round++) {
    const reply = yield* l4.ipcCall(pager, WINDOW, 0, 0, { receive: window });
    if (reply.error !== 0) throw new Error(`the pager's reply failed with error ${reply.error}`);
    yield* l4.touch(WINDOW, 64, true);
    yield* l4.fpageUnmap(lab.abi.fpage(WINDOW, 12), lab.abi.UNMAP_FLUSH);
  }
  lab.end(lab.rounds);
}
