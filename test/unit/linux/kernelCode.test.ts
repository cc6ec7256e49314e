import * as assert from 'node:assert/strict';
import { CAT } from '../../../engine/machine/cpu';
import { bareMetalMachine } from '../../../engine/bench/bareMetal';
import { checkTextFits, codeInstructions, KernelCode, kernelFunctionOffset, kernelTextLayout, layoutLinuxText } from '../../../engine/linux/core/kernelCode';
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

  it('sizes a path with loops by its one-pass count, divided between the files of its functions, the same every time', () => {
    const lines = (instructions: number): number => Math.ceil((instructions * p.codeLineBytesPerInstruction) / 32) * 32;
    // fork's 3,480 instructions hold copy_files over 256 slots: its code is the 496 of one pass (2,304 B), not 16 KB
    assert.equal(codeInstructions(p, 'forkBase'), p.forkCodeInstructions);
    assert.ok(p.forkCodeInstructions < p.forkBase / 5);
    assert.equal(total(run('forkBase')), lines(p.forkCodeInstructions));
    assert.deepEqual(new Set(run('forkBase').map(fileOf)), new Set(['kernel/fork.c', 'mm/kmalloc.c', 'arch/i386/kernel/process.c']));
    for (const name of ['exitBase', 'execBase', 'munmapBase', 'brkShrink'] as const) assert.equal(total(run(name)), lines(codeInstructions(p, name)), name);
    // straight-line code is its count, however large: no cap
    assert.equal(total(run('udpSend')), lines(p.udpSend), 'the whole path\'s, its callees\' shares included');
    assert.equal(total(run('tcpAck')), lines(p.tcpAck));
    const again = fetched();
    for (const name of ['pipeWriteOp', 'forkBase', 'switchTo', 'udpSend', 'tcpAck'] as const) assert.deepEqual(again(name), run(name), name);
  });

  it('divides a loopy path between its functions by one pass of each, as its one-pass row counts it', () => {
    for (const name of ['forkBase', 'exitBase', 'execBase', 'munmapBase', 'brkShrink'] as const) {
      const parts = PATH_FUNCTIONS[name].reduce((sum, part) => sum + part.instructions, 0);
      const onePass = codeInstructions(p, name);
      assert.ok(onePass < p[name], name);
      assert.ok(parts <= onePass && parts >= onePass * 0.85, `${name}: its functions' ${parts} against its one-pass ${onePass}`);
    }
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
    const sched = kernelTextLayout(p)['kernel/sched.c'];
    const at = (chars: number): number => sched + Math.floor(((chars - LINUX_SOURCE_HEADER_CHARS) * p.textBytesPerSourceChar) / 32) * 32;
    assert.equal(run('scheduleBase')[0].address - 0x100000, at(FUNCTION_OFFSETS['kernel/sched.c'].schedule));
    assert.equal(run('scheduleBase')[0].address - 0x100000, kernelFunctionOffset(p, 'kernel/sched.c', 'schedule'));
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
    const objects = kernelTextLayout(p);
    const kmalloc = new Set(['forkPerVma', 'mmapBase', 'udpSend'].map((name) => layout.paths.get(name as never)!.find((r) => r.offset >= objects['mm/kmalloc.c'] && r.offset < objects['mm/vmalloc.c'])!.offset));
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
    // a 1996 2.0 kernel of this configuration: a few hundred KB of text, inside the 480 KB L4Linux's server image gives it (up to SERVER_IMAGE.emulation)
    assert.ok(layout.textBytes > 300 * 1024 && layout.textBytes < 0x70000, `${layout.textBytes} B`);
    // the paths fit their files: a file grows by at most a few hundred bytes or the uncertainty of its size (textBytesPerSourceChar's ±30 % per file)
    for (const object of layout.objects) {
      const source = LINUX_LINK_ORDER.find((o) => o.file === object.file)!;
      const size = (source.chars ?? []).reduce((sum, chars) => sum + Math.max(0, chars - LINUX_SOURCE_HEADER_CHARS) * (source.assembly ? p.assemblyTextBytesPerSourceChar : p.textBytesPerSourceChar), 0);
      assert.ok(object.bytes <= Math.max(Math.round(size) + 384, Math.round(size * 1.3)), `${object.file}: ${object.bytes} B from ${Math.round(size)}`);
    }
  });

  it('charges a loopy path its full count while its code is one pass; each follows its own what-if', () => {
    const charged = (overrides: LinuxOverrides): { cycles: number; bytes: number } => {
      const machine = bareMetalMachine({ mappedMB: 8 });
      const code = new KernelCode(machine.cpu, linuxParameters(overrides).values, 0x100000, CAT.kernel);
      let bytes = 0;
      machine.cpu.runCode = (_address: number, runBytes: number) => { bytes += runBytes; };
      const before = machine.cpu.now;
      code.run('forkBase');
      return { cycles: machine.cpu.now - before, bytes };
    };
    const published = charged({});
    const smallerCode = charged({ forkCodeInstructions: 300 });
    assert.equal(smallerCode.cycles, published.cycles, 'the code footprint changes no instruction cycles');
    assert.equal(smallerCode.bytes, Math.ceil((300 * p.codeLineBytesPerInstruction) / 32) * 32);
    const moreIterations = charged({ forkBase: 4000 });
    assert.equal(moreIterations.cycles - published.cycles, 520 * bareMetalMachine({ mappedMB: 8 }).cpu.p.instruction, 'every instruction of the count is charged');
    assert.equal(moreIterations.bytes, published.bytes, 'more iterations fetch no more code');
    // a count below its one-pass figure is all the code there is
    assert.equal(charged({ forkBase: 200 }).bytes, Math.ceil((200 * p.codeLineBytesPerInstruction) / 32) * 32);
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

describe('Linux text what-if: another plausible build (linux.linkMapSeed)', () => {
  const derived = layoutLinuxText(linuxParameters().values);
  const build = (seed: number): ReturnType<typeof layoutLinuxText> => layoutLinuxText(linuxParameters({ linkMapSeed: seed }).values);

  it('seed 0 is the layout of the sizes as derived: every object at scale 1, sized from its source', () => {
    const p = linuxParameters().values;
    assert.equal(p.linkMapSeed, 0);
    for (const object of derived.objects) assert.equal(object.scale, 1, object.file);
    const sched = LINUX_LINK_ORDER.find((o) => o.file === 'kernel/sched.c')!;
    const object = derived.objects.find((o) => o.file === sched.file)!;
    assert.ok(object.bytes >= Math.round((sched.chars![0] - LINUX_SOURCE_HEADER_CHARS) * p.textBytesPerSourceChar));
  });

  it('is deterministic per seed, and another seed is another build, each object within its uncertainty', () => {
    assert.deepEqual(build(5), build(5));
    assert.notDeepEqual(build(5).objects, derived.objects);
    assert.notDeepEqual(build(5).objects, build(6).objects);
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      for (const object of build(seed).objects) {
        const source = LINUX_LINK_ORDER.find((o) => o.file === object.file)!;
        const spread = source.assembly === true || 'estimated' in source ? 0.5 : 0.3;
        assert.ok(object.scale >= 1 - spread && object.scale <= 1 + spread, `${object.file}: ${object.scale}`);
      }
    }
  });

  it('moves the functions with their object: schedule() lies at its scaled place in sched.c', () => {
    const p = linuxParameters({ linkMapSeed: 3 }).values;
    const layout = layoutLinuxText(p);
    const sched = layout.objects.find((o) => o.file === 'kernel/sched.c')!;
    const chars = FUNCTION_OFFSETS['kernel/sched.c'].schedule;
    const expected = sched.offset + Math.floor(((chars - LINUX_SOURCE_HEADER_CHARS) * p.textBytesPerSourceChar * sched.scale) / 32) * 32;
    assert.equal(kernelFunctionOffset(p, 'kernel/sched.c', 'schedule'), expected);
    assert.equal(layout.paths.get('scheduleBase')![0].offset, expected);
    assert.equal(kernelTextLayout(p)['arch/i386/kernel/entry.S'], layout.objects.find((o) => o.file === 'arch/i386/kernel/entry.S')!.offset);
  });

  it('never overlaps two distinct pieces of code nor two objects, in any build', () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]) {
      const layout = build(seed);
      layout.objects.forEach((object, i) => {
        if (i > 0) assert.ok(object.offset >= layout.objects[i - 1].offset + layout.objects[i - 1].bytes, `${seed}: ${object.file}`);
      });
      const runs = [...layout.paths.values()].flat().sort((a, b) => a.offset - b.offset);
      for (let i = 0; i < runs.length; i++) {
        for (let j = i + 1; j < runs.length && runs[j].offset < runs[i].offset + runs[i].bytes; j++) assert.equal(runs[j].offset, runs[i].offset, `${seed}: ${runs[i].offset}`);
      }
    }
  });

  it('the text-fit check refuses an overgrown draw, naming the seed', () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
    const larger = seeds.find((seed) => build(seed).textBytes > derived.textBytes)!;
    const room = Math.ceil(derived.textBytes / 1024) * 1024;
    const p = linuxParameters({ linkMapSeed: larger }).values;
    assert.ok(build(larger).textBytes > room, 'a draw larger than the derived text by more than the rounding');
    assert.doesNotThrow(() => checkTextFits(linuxParameters().values, room, "L4Linux's server image"));
    assert.throws(() => checkTextFits(p, room, "L4Linux's server image"), new RegExp(`linkMapSeed ${larger}\\) does not fit the ${room / 1024} KB L4Linux's server image reserves`));
  });
});
