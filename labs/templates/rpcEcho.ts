/// <reference path="./l4lab.d.ts" />
// An RPC echo server on L4: it replies to every call with the word it received. The client calls
// it `lab.rounds` times and the lab reports the round-trip latency (compare SOSP'97 Table 4 and
// the L4 rows of the benchmark panel). Run: "L4 Lab: Run Custom Server"; measure: "Benchmark".

/** The server thread: wait for a call, then reply and wait for the next one in one system call. */
export function* server(l4: L4.Api): L4.Activity {
  let request = yield* l4.ipcWait();
  for (;;) {
    const caller = { low: request.sourceLow, high: request.sourceHigh };
    request = yield* l4.ipcReplyAndWait(caller, request.w0, request.w1);
  }
}

/** The client thread: a warm-up, then `lab.rounds` measured calls. */
export function* client(l4: L4.Api, server: L4.ThreadId, lab: L4.Lab): L4.Activity {
  for (let round = 0; round < 10; round++) yield* l4.ipcCall(server, round, 0);
  lab.begin();
  for (let round = 0; round < lab.rounds; round++) {
    const reply = yield* l4.ipcCall(server, round, 1);
    if (reply.error !== 0) throw new Error(`IPC failed with error ${reply.error}`);
    if (reply.w0 !== round) throw new Error(`the server echoed ${reply.w0} instead of ${round}`);
  }
  lab.end(lab.rounds);
  lab.log(`${lab.rounds} echo calls done`);
}
