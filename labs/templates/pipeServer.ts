/// <reference path="./l4lab.d.ts" />
// A pipe server on L4: a client writes a stream into it, two words (8 bytes) per short IPC,
// and the server stores them in a ring buffer in its own address space. The lab reports the
// bandwidth. Short IPC keeps the template small; for the paper's long-IPC pipe (SOSP'97 Table 4)
// send 4 KB strings with `lab.abi.sendBuffer` and a receive buffer (see engine/bench/l4/pipeSuite.ts).

const RING = 0x00800000;
const RING_BYTES = 16 * 1024;

/** The server thread: append each message's two words to the ring, acknowledge with the count. */
export function* server(l4: L4.Api): L4.Activity {
  let stored = 0;
  let request = yield* l4.ipcWait();
  for (;;) {
    yield* l4.write32(RING + (stored % RING_BYTES), request.w0);
    yield* l4.write32(RING + ((stored + 4) % RING_BYTES), request.w1);
    stored += 8;
    request = yield* l4.ipcReplyAndWait({ low: request.sourceLow, high: request.sourceHigh }, stored, 0);
  }
}

/** The client thread: write `lab.rounds` × 8 bytes into the pipe. */
export function* client(l4: L4.Api, server: L4.ThreadId, lab: L4.Lab): L4.Activity {
  yield* l4.ipcCall(server, 0, 0); // warm-up: fault in the ring's first page
  lab.begin();
  for (let round = 0; round < lab.rounds; round++) {
    const reply = yield* l4.ipcCall(server, round, ~round);
    if (reply.error !== 0) throw new Error(`pipe write failed with error ${reply.error}`);
  }
  lab.end(lab.rounds, lab.rounds * 8);
}
