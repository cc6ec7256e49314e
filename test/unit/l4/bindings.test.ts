import * as assert from 'node:assert/strict';
import { L4BenchSystem, cyclesPerOperation, breakdownPerOperation } from '../../../engine/bench/l4/l4System';
import { RECEIVE_SHORT, SEND_SHORT, TIMEOUT_NEVER, type L4Api, type ThreadId } from '../../../engine/l4/guestApi';
import { L4_PARAMETERS } from '../../../engine/l4/l4Parameters';
import { SmallSpaces } from '../../../engine/l4/smallSpaces';

/** Round trips between two small spaces; `cBindings` picks ipcCall/ipcReplyAndWait instead of the in-line `ipc`. */
function roundTrip(cBindings: boolean): { cycles: number; user: number } {
  const system = new L4BenchSystem(undefined, { smallSpaces: true });
  const rounds = 300;
  const server = system.task(
    5,
    function* (l4: L4Api) {
      let request = yield* l4.ipcWait();
      const client: ThreadId = { low: request.sourceLow, high: request.sourceHigh };
      for (;;) {
        request = cBindings ? yield* l4.ipcReplyAndWait(client, request.w0, 0) : yield* l4.ipc(SEND_SHORT, client, request.w0, 0, RECEIVE_SHORT | 1, TIMEOUT_NEVER);
      }
    },
    { small: SmallSpaces.encode(1, 2) },
  );
  system.task(
    6,
    function* (l4: L4Api) {
      const call = (i: number) => (cBindings ? l4.ipcCall(server, i, 0) : l4.ipc(SEND_SHORT, server, i, 0, RECEIVE_SHORT, TIMEOUT_NEVER));
      for (let i = 0; i < 50; i++) yield* call(i);
      system.begin();
      for (let i = 0; i < rounds; i++) yield* call(i);
      system.end(rounds);
    },
    { small: SmallSpaces.encode(2, 2) },
  );
  const m = system.run();
  return { cycles: cyclesPerOperation(m), user: breakdownPerOperation(m).user ?? 0 };
}

describe('L4 C bindings (L4ENV ipc-l42-gcc273)', () => {
  it('cost their EBP save/restore and result stores beyond an in-line IPC, all as user cycles', () => {
    const inline = roundTrip(false);
    const c = roundTrip(true);
    const p = L4_PARAMETERS;
    // call: push/pop EBP + 3 stores; reply_and_wait: push/pop EBP + 5 stores + its address block
    const call = 2 * p.ipcBindingSaveInstructions.value + 3 * p.ipcBindingStoreInstructions.value;
    const replyAndWait = 2 * p.ipcBindingSaveInstructions.value + 5 * p.ipcBindingStoreInstructions.value + p.ipcBindingIndirectBefore.value + p.ipcBindingIndirectAfter.value;
    assert.equal(Math.round(c.user - inline.user), call + replyAndWait);
    assert.equal(Math.round(c.cycles - inline.cycles), call + replyAndWait);
    // the in-line IPC is what the HotOS'97 figure measures: 2 × 121 per round trip
    assert.ok(Math.abs(inline.cycles / 2 - 121) <= 2, `one way ${inline.cycles / 2}`);
  });
});
