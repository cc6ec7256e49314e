import * as assert from 'node:assert/strict';
import { CAT } from '../../../engine/machine/cpu';
import { bareMetalMachine } from '../../../engine/bench/bareMetal';
import { checkTextFits, KernelCode, KERNEL_TEXT_LAYOUT, kernelFunctionOffset, layoutLinuxText } from '../../../engine/linux/core/kernelCode';
import { FUNCTION_OFFSETS, LINUX_LINK_ORDER, LINUX_SOURCE_HEADER_CHARS, PATH_FUNCTIONS } from '../../../engine/linux/core/kernelTextLayout';
import { LINUX_PARAMETERS, linuxParameters, type LinuxOverrides } from '../../../engine/linux/core/linuxParameters';

type Run = { address: number; bytes: number };

/** The runs of code each path fetches when run, from a KernelCode over a bare-metal machine. */
function fetched(overrides: LinuxOverrides = {}): (name: Parameters<KernelCode['run']>[0]) => Run[] {
  const machine = bareMetalMachine({ mappedMB: 8 });
  const code = new KernelCode(machine.cpu, linuxParameters(overrides).values, 0x100000, CAT.kernel);
  let runs: Run[] = [];
  machine.cpu.runCode = (address: number, bytes: number) => { runs.push({ address, bytes }); };
  return (name) => { runs = []; code.run(name); return runs; };
}

const total = (runs: Run[]): number => runs.reduce((sum, run) => sum + run.bytes, 0);

describe('Linux personality code layout (KernelCode, kernelTextLayout.ts)', () => {
  const p = linuxParameters().values;
  const run = fetched();
  const layout = layoutLinuxText(p);
  const fileOf = (r: Run): string => {
    const offset = r.address - 0x100000;
    return layout.objects.find((o) => offset >= o.offset && offset < o.offset + o.bytes)!.file;
  };

  it('sizes a compiled C path as its instructions × codeLineBytesPerInstruction, in whole lines', () => {
    for (const name of ['pipeReadOp', 'scheduleBase', 'verifyArea', 'sysGetpid', 'udpRecvmsg'] as const) {
      assert.equal(total(run(name)), Math.ceil((p[name] * p.codeLineBytesPerInstruction) / 32) * 32, name);
    }
    assert.equal(total(run('pipeWriteOp')), 256, '55 instructions touch 8 lines');
  });

  it('keeps hand-written assembly compact, at codeBytesPerInstruction', () => {
    assert.equal(total(run('switchTo')), Math.ceil((p.switchTo * p.codeBytesPerInstruction) / 32) * 32);
    assert.equal(total(run('zeroPagePerDword')), 32);
  });

  it('caps a path at 2 KB, divided between the files of its functions, the same every time', () => {
    assert.equal(total(run('forkBase')), 2048);
    assert.deepEqual(new Set(run('forkBase').map(fileOf)), new Set(['kernel/fork.c', 'mm/kmalloc.c', 'arch/i386/kernel/process.c']));
    assert.equal(total(run('udpSend')), 2048, 'the cap is the whole path\'s, its callees\' shares included');
    const again = fetched();
    for (const name of ['pipeWriteOp', 'forkBase', 'switchTo', 'udpSend', 'tcpAck'] as const) assert.deepEqual(again(name), run(name), name);
  });

  it('lists every path, and every file a path runs in is in the link order', () => {
    const files = new Set(LINUX_LINK_ORDER.map((o) => o.file));
    for (const [name, spec] of Object.entries(LINUX_PARAMETERS)) {
      if (spec.unit !== 'instructions') continue;
      assert.ok(PATH_FUNCTIONS[name] !== undefined, name);
      for (const part of PATH_FUNCTIONS[name]) assert.ok(files.has(part.file), `${name}: ${part.file}`);
    }
    for (const file of Object.keys(FUNCTION_OFFSETS)) assert.ok(files.has(file), file);
  });

  it('puts each share at its function\'s place in its own file: a UDP send runs in udp.c, ip_output.c, dev.c, skbuff.c ...', () => {
    const sched = KERNEL_TEXT_LAYOUT['kernel/sched.c'];
    const at = (chars: number): number => sched + Math.floor(((chars - LINUX_SOURCE_HEADER_CHARS) * p.textBytesPerSourceChar) / 32) * 32;
    assert.equal(run('scheduleBase')[0].address - 0x100000, at(FUNCTION_OFFSETS['kernel/sched.c'].schedule));
    assert.equal(run('scheduleBase')[0].address - 0x100000, kernelFunctionOffset('kernel/sched.c', 'schedule'));
    // sys_getpid's place follows do_timer's code, which reaches past it: at most a few lines later
    const getpid = run('sysGetpid')[0].address - 0x100000 - at(FUNCTION_OFFSETS['kernel/sched.c'].sys_getpid);
    assert.ok(getpid >= 0 && getpid <= 64, `${getpid}`);
    const udp = run('udpSend');
    const files = new Set(udp.map(fileOf));
    for (const file of ['net/socket.c', 'net/ipv4/udp.c', 'net/ipv4/ip_output.c', 'net/core/dev.c', 'net/core/skbuff.c', 'mm/kmalloc.c', 'drivers/net/loopback.c']) {
      assert.ok(files.has(file), file);
    }
    const inUdp = total(udp.filter((r) => fileOf(r) === 'net/ipv4/udp.c'));
    assert.ok(inUdp < total(udp) / 2, `udp.c holds ${inUdp} of ${total(udp)} B: the callees' shares are in their own files`);
  });

  it('never overlaps two distinct pieces of code: runs that overlap are one function\'s code run by several paths', () => {
    const runs = [...layout.paths.values()].flat().sort((a, b) => a.offset - b.offset);
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length && runs[j].offset < runs[i].offset + runs[i].bytes; j++) {
        assert.equal(runs[j].offset, runs[i].offset, `runs at ${runs[i].offset} (${runs[i].bytes} B) and ${runs[j].offset} overlap`);
      }
    }
    // kmalloc's fast path is one place, whichever path calls it
    const kmalloc = new Set(['forkPerVma', 'mmapBase', 'udpSend'].map((name) => layout.paths.get(name as never)!.find((r) => r.offset >= KERNEL_TEXT_LAYOUT['mm/kmalloc.c'] && r.offset < KERNEL_TEXT_LAYOUT['mm/vmalloc.c'])!.offset));
    assert.equal(kmalloc.size, 1);
  });

  it('keeps each run inside its object file and the objects end to end in link order, in a plausible text', () => {
    layout.objects.forEach((object, i) => {
      assert.equal(object.file, LINUX_LINK_ORDER[i].file);
      if (i > 0) assert.ok(object.offset >= layout.objects[i - 1].offset + layout.objects[i - 1].bytes, object.file);
    });
    for (const runs of layout.paths.values()) {
      for (const r of runs) assert.ok(layout.objects.some((o) => r.offset >= o.offset && r.offset + r.bytes <= o.offset + o.bytes), `${r.offset}`);
    }
    // a 1996 2.0 kernel of this configuration: a few hundred KB of text, inside the 448 KB L4Linux's server image gives it (SERVER_IMAGE.glue)
    assert.ok(layout.textBytes > 300 * 1024 && layout.textBytes < 0x70000, `${layout.textBytes} B`);
    // the paths fit their files: a file grows by at most a few hundred bytes
    for (const object of layout.objects) {
      const source = LINUX_LINK_ORDER.find((o) => o.file === object.file)!;
      const size = (source.chars ?? []).reduce((sum, chars) => sum + Math.max(0, chars - LINUX_SOURCE_HEADER_CHARS) * (source.assembly ? p.assemblyTextBytesPerSourceChar : p.textBytesPerSourceChar), 0);
      assert.ok(object.bytes <= Math.round(size) + 384, `${object.file}: ${object.bytes} B from ${Math.round(size)}`);
    }
  });

  it('follows a what-if of the measured line bytes', () => {
    assert.equal(total(fetched({ codeLineBytesPerInstruction: 3 })('pipeWriteOp')), 192);
  });

  it('refuses a text that outgrows the region a server reserves for it, with its size', () => {
    const p = linuxParameters().values;
    assert.doesNotThrow(() => checkTextFits(p, 480 * 1024, "L4Linux's server image"));
    assert.throws(() => checkTextFits(linuxParameters({ textBytesPerSourceChar: 0.4 }).values, 512 * 1024, "MkLinux's server"), /does not fit the 512 KB MkLinux's server reserves/);
  });
});
