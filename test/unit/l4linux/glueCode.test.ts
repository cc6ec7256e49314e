import * as assert from 'node:assert/strict';
import { bareMetalMachine } from '../../../engine/bench/bareMetal';
import { l4Parameters } from '../../../engine/l4/l4Parameters';
import { CAT } from '../../../engine/machine/cpu';
import { KernelCode, kernelTextLayout, type LinuxPath } from '../../../engine/linux/core/kernelCode';
import { LINUX_PARAMETERS, linuxParameters } from '../../../engine/linux/core/linuxParameters';
import { bindingInstructions, dispatchCycles, IPC_REGISTER_LOADS, l4linuxCode, type CodeBlock } from '../../../engine/linux/l4/glueCode';
import { l4linuxParameters } from '../../../engine/linux/l4/l4linuxParameters';
import { nativeParameters } from '../../../engine/linux/native/nativeParameters';
import { EMULATION_LIBRARY, GLUE_OBJECT, SERVER_IMAGE } from '../../../engine/linux/l4/layout';

const n = l4linuxParameters().values;
const linux = linuxParameters().values;
const l4 = l4Parameters().values;
const native = nativeParameters().values;

/** Whether two blocks share a byte. */
function overlap(a: CodeBlock, b: CodeBlock): boolean {
  return a.address < b.address + b.bytes && b.address < a.address + a.bytes;
}

describe('L4Linux code layout (glueCode)', () => {
  const code = l4linuxCode(n, native, linux, l4, 32);
  const library = [code.stub, code.trampoline, code.signalThread];

  it('lays the emulation library out as one object: stub, trampoline, signal thread, end to end in whole lines inside its page', () => {
    assert.equal(code.stub.address, EMULATION_LIBRARY.code);
    assert.equal(code.trampoline.address, code.stub.address + code.stub.bytes);
    assert.equal(code.signalThread.address, code.trampoline.address + code.trampoline.bytes);
    for (const block of library) {
      assert.equal(block.bytes % 32, 0, 'whole lines');
      assert.ok(block.bytes > 0);
      assert.ok(block.address >= EMULATION_LIBRARY.code && block.address + block.bytes <= EMULATION_LIBRARY.code + EMULATION_LIBRARY.bytes, 'inside the mapped page');
    }
    for (let i = 0; i < library.length; i++) for (let j = i + 1; j < library.length; j++) assert.ok(!overlap(library[i], library[j]), `pieces ${i} and ${j} overlap`);
    assert.ok(code.stub.enterBytes > 0 && code.stub.enterBytes < code.stub.bytes, 'the stub is entered before and left after its binding');
  });

  it('sizes the pieces from their rows and the IPC register loads: C at codeLineBytesPerInstruction, the binding at codeBytesPerInstruction', () => {
    const call = bindingInstructions(l4, 'call', true);
    const stub = (n.emulEnterSimple + n.emulEnterMemoryOps + IPC_REGISTER_LOADS + n.emulLeaveSimple + n.emulLeaveMemoryOps) * linux.codeLineBytesPerInstruction + (call.before + call.after) * linux.codeBytesPerInstruction;
    assert.equal(code.stub.bytes, Math.ceil(stub / 32) * 32);
    assert.equal(code.trampoline.bytes, Math.ceil(((n.trampolineSimple + n.trampolineMemoryOps) * linux.codeLineBytesPerInstruction) / 32) * 32);
    assert.equal(code.signalThread.bytes, Math.ceil((n.signalThreadSimple * linux.codeLineBytesPerInstruction) / 32) * 32);
    // the PIC call binding: int, EBP save/restore, word block + EBX save, EBX restore, 3 result stores
    assert.deepEqual(call, { before: 6, after: 6 });
  });

  it('follows what-ifs of the rows and the densities, and refuses a library that outgrows its page', () => {
    const bigger = l4linuxCode(l4linuxParameters({ trampolineSimple: 120 }).values, native, linux, l4, 32);
    assert.ok(bigger.trampoline.bytes > code.trampoline.bytes);
    assert.equal(bigger.stub.bytes, code.stub.bytes);
    const dense = l4linuxCode(n, native, { ...linux, codeLineBytesPerInstruction: 3 }, l4, 32);
    assert.ok(dense.dispatch.bytes < code.dispatch.bytes && dense.stub.bytes < code.stub.bytes);
    assert.throws(() => l4linuxCode(n, native, { ...linux, codeLineBytesPerInstruction: 40 }, l4, 32), RangeError);
  });

  it("takes the entry.S code it kept from native Linux's table, what-ifs included", () => {
    const more = nativeParameters({ saveAllSimple: native.saveAllSimple + 20 }).values;
    assert.equal(dispatchCycles(n, more, 1, 2) - dispatchCycles(n, native, 1, 2), 20);
    assert.ok(l4linuxCode(n, more, linux, l4, 32).dispatch.bytes > code.dispatch.bytes);
  });

  it('is deterministic', () => {
    assert.deepEqual(l4linuxCode(n, native, linux, l4, 32), code);
  });

  it("puts the server glue in entry.S's place of the server's text, inside that object, before the emulation page", () => {
    const objects = kernelTextLayout(linux);
    const offset = objects[GLUE_OBJECT];
    assert.equal(code.dispatch.address, SERVER_IMAGE.text + offset);
    const next = Math.min(...Object.values(objects).filter((at) => at > offset));
    assert.ok(code.dispatch.address + code.dispatch.bytes <= SERVER_IMAGE.text + next, 'the glue fits the object it replaces');
    assert.ok(code.dispatch.address + code.dispatch.bytes <= SERVER_IMAGE.emulation && SERVER_IMAGE.emulation + EMULATION_LIBRARY.bytes <= SERVER_IMAGE.data);
    assert.ok(SERVER_IMAGE.data < SERVER_IMAGE.end);
  });

  it("follows the build the server was booted with (linux.linkMapSeed): the glue moves with entry.S's place", () => {
    const other = linuxParameters({ linkMapSeed: 7 }).values;
    const moved = l4linuxCode(n, native, other, l4, 32);
    assert.equal(moved.dispatch.address, SERVER_IMAGE.text + kernelTextLayout(other)[GLUE_OBJECT]);
    assert.notEqual(moved.dispatch.address, code.dispatch.address);
  });

  it('shares its place with no path of the Linux personality', () => {
    const machine = bareMetalMachine({ mappedMB: 8 });
    const personality = new KernelCode(machine.cpu, linux, SERVER_IMAGE.text, CAT.linuxServer);
    const fetched: CodeBlock[] = [];
    machine.cpu.runCode = (address: number, bytes: number) => void fetched.push({ address, bytes });
    for (const name of Object.keys(LINUX_PARAMETERS) as LinuxPath[]) if (LINUX_PARAMETERS[name].unit === 'instructions') personality.run(name);
    assert.ok(fetched.length > 50);
    for (const block of fetched) assert.ok(!overlap(block, code.dispatch), `a personality path at 0x${block.address.toString(16)} overlaps the glue`);
  });
});
