import assert from 'node:assert/strict';
import { bootLinux } from '../../../engine/linux/boot';
import { PG_LARGE, PG_PRESENT, PG_WRITABLE } from '../../../engine/machine/paging';
import { encodeUtf8 } from '../../../engine/base/text';
import type { GuestProgram } from '../../../engine/userland/runtime';
import { between, runGuest } from '../../../engine/bench/linux/linuxHarness';
import { CAT, type Cpu } from '../../../engine/machine/cpu';
import { MAP_ANONYMOUS, MAP_PRIVATE, PROT_READ, PROT_WRITE } from '../../../engine/linux/core/syscalls';

/** Writes a private page, forks a child that pauses (marks 'fork' and 'forked' with the page's address), kills and reaps it. */
const forkProbe: GuestProgram = {
  name: 'probe', textBytes: 8192, dataBytes: 4096, bssBytes: 4096,
  *main(libc) {
    const page = yield* libc.malloc(4096);
    yield* libc.store(page, encodeUtf8('x'));
    libc.mark('fork', page);
    const child = yield* libc.fork(function* (c) {
      yield* c.pause();
      return 0;
    });
    libc.mark('forked', page);
    yield* libc.kill(child, 9);
    yield* libc.waitpid(child);
    return 0;
  },
};

describe('native Linux 2.0 substrate', () => {
  it('composes getpid from its primitives: 82 cycles of int/iret apart, about 223 in all', () => {
    const run = runGuest('linux', 'lat_syscall getpid 2000 200', {});
    const { cycles, breakdown } = between(run, 'start', 'stop', 2000);
    assert.ok(Math.abs((breakdown.kernelEntry ?? 0) - 82) < 1, `kernelEntry ${breakdown.kernelEntry}`);
    assert.ok(cycles > 223 * 0.9 && cycles < 223 * 1.1, `getpid ${cycles} cycles`);
  });

  it('refuses a kernel text that outgrows the 512 KB between the image\'s load address and its .data', () => {
    assert.throws(() => bootLinux({ initArgs: ['sh', '-c', 'true'], linux: { textBytesPerSourceChar: 0.4 } }), /does not fit the 512 KB native Linux's image/);
  });

  it('maps kernel memory with 4 MB pages on the Pentium (USE_PENTIUM_MM), with page tables without it', () => {
    for (const pentiumMm of [true, false]) {
      const system = bootLinux({ initArgs: ['sh', '-c', 'true'], native: { pentiumMm } });
      const cpu = system.machine.cpu;
      const pde = system.machine.memory.read32((cpu.cr3 & 0xfffff000) + 4 * (0xc0000000 >>> 22));
      assert.equal((pde & PG_LARGE) !== 0, pentiumMm, `PDE of PAGE_OFFSET ${pde.toString(16)}`);
      assert.equal(cpu.pse, pentiumMm, 'CR4.PSE set by paging_init only for its 4 MB pages');
      assert.equal(system.run(133e6 * 10), 'halted');
    }
  });

  it('a context switch refills the kernel\'s data TLB per 4 MB region, not per 4 KB page', () => {
    const refill = (pentiumMm: boolean): number => {
      const run = runGuest('linux', 'lat_pipe 400 40', { kernels: { native: { pentiumMm } } });
      return between(run, 'start', 'stop', 400).breakdown.tlbRefill ?? 0;
    };
    const large = refill(true);
    const small = refill(false);
    assert.ok(large < small * 0.6, `TLB refill per round trip: ${large} with 4 MB pages, ${small} without`);
  });

  it('boots, runs a script through sh with pipes, and halts with its status', () => {
    const system = bootLinux({ initArgs: ['sh', '-c', 'echo hi | cat; hello; ls /etc; false && echo no; exit 4'] });
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.equal(system.exitStatus, 4);
    assert.equal(system.machine.console.output(), 'hi\nHello world\nld.so.cache\nmotd\npasswd\nhostname\n');
  });

  it('fork copies page tables PTE by PTE and write-protects private pages for copy-on-write', () => {
    let checked = false;
    const system = bootLinux({ programs: [forkProbe], initArgs: ['sh', '-c', 'probe'] });
    system.runtime.onMark = (label, page) => {
      if (label !== 'forked') return;
      const tasks = [...system.kernel.tasks.values()].filter((t) => t.program === 'probe');
      assert.equal(tasks.length, 2);
      const ptes = tasks.map((t) => system.kernel.mm.pte(t.mm!, page));
      for (const pte of ptes) {
        assert.ok((pte & PG_PRESENT) !== 0);
        assert.equal(pte & PG_WRITABLE, 0, 'write-protected for COW');
      }
      assert.equal(ptes[0] & 0xfffff000, ptes[1] & 0xfffff000, 'same frame');
      assert.equal(system.kernel.mm.count[ptes[0] >>> 12], 2);
      checked = true;
    };
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.equal(system.exitStatus, 0);
    assert.ok(checked);
  });

  /** Counts the kernel's CR3 reloads (flush_tlb_range/mm) and INVLPGs (flush_tlb_page) from now on. */
  function countFlushes(cpu: Cpu): { reloads: number[]; invlpgs: number } {
    const counts = { reloads: [] as number[], invlpgs: 0 };
    const loadCr3 = cpu.loadCr3.bind(cpu);
    const invalidatePage = cpu.invalidatePage.bind(cpu);
    cpu.loadCr3 = (directory: number, category?: number) => {
      if (category === CAT.kernel) counts.reloads.push(directory);
      loadCr3(directory, category);
    };
    cpu.invalidatePage = (linear: number, category?: number) => {
      counts.invlpgs++;
      invalidatePage(linear, category);
    };
    return counts;
  }

  it('munmap and mprotect of the live space reload CR3 once (flush_tlb_range), with no INVLPG per page', () => {
    const pages = 8;
    const seen: Record<string, { reloads: number; invlpgs: number }> = {};
    const probe: GuestProgram = {
      name: 'probe', textBytes: 8192, dataBytes: 4096, bssBytes: 4096,
      *main(libc) {
        const at = yield* libc.mmap(0, pages * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        for (let page = 0; page < pages; page++) yield* libc.store(at + page * 4096, encodeUtf8('x'));
        libc.mark('start', 0);
        yield* libc.mprotect(at, pages * 4096, PROT_READ);
        libc.mark('mprotect', 0);
        yield* libc.munmap(at, pages * 4096);
        libc.mark('munmap', 0);
        return 0;
      },
    };
    const system = bootLinux({ programs: [probe], initArgs: ['sh', '-c', 'probe'] });
    const counts = countFlushes(system.machine.cpu);
    let mark = { reloads: 0, invlpgs: 0 };
    system.runtime.onMark = (label) => {
      const now = { reloads: counts.reloads.length, invlpgs: counts.invlpgs };
      if (label !== 'start') seen[label] = { reloads: now.reloads - mark.reloads, invlpgs: now.invlpgs - mark.invlpgs };
      mark = now;
    };
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.deepEqual(seen, { mprotect: { reloads: 1, invlpgs: 0 }, munmap: { reloads: 1, invlpgs: 0 } });
  });

  it('fork reloads CR3 once per area of the parent (copy_page_range); a space that is not live is not flushed', () => {
    let checked = false;
    const system = bootLinux({ programs: [forkProbe], initArgs: ['sh', '-c', 'probe'] });
    const cpu = system.machine.cpu;
    const counts = countFlushes(cpu);
    let before = 0;
    system.runtime.onMark = (label, page) => {
      if (label === 'fork') {
        before = counts.reloads.length;
        return;
      }
      const [parent, child] = [...system.kernel.tasks.values()].filter((t) => t.program === 'probe');
      const reloads = counts.reloads.slice(before);
      assert.equal(reloads.length, parent.mm!.areas.length, `${reloads.length} reloads for ${parent.mm!.areas.length} areas`);
      assert.ok(reloads.every((directory) => directory === parent.mm!.pgd), 'only the parent (live) is flushed');
      // mprotect and munmap of the child's page from the parent's context: the child's space is not live
      const [reloadsBefore, invlpgsBefore] = [counts.reloads.length, counts.invlpgs];
      assert.equal(system.kernel.mm.mprotect(child.mm!, page & ~0xfff, 4096, PROT_READ), 0);
      assert.equal(system.kernel.mm.munmap(child.mm!, page & ~0xfff, 4096), 0);
      assert.deepEqual([counts.reloads.length, counts.invlpgs], [reloadsBefore, invlpgsBefore]);
      checked = true;
    };
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.ok(checked);
  });

  it('demand-pages an exec image: only touched pages become resident', () => {
    let resident = -1;
    const system = bootLinux({ initArgs: ['sh', '-c', 'hello'] });
    const kernel = system.kernel;
    const original = kernel.doExit.bind(kernel);
    kernel.doExit = function* (task, status) {
      if (task.program === 'hello') resident = task.mm!.rss;
      yield* original(task, status);
    };
    assert.equal(system.run(133e6 * 10), 'halted');
    // 80 KB image: 16 text + 3 data + 1 bss + stack + heap pages touched, not all 21+ pages of the file
    assert.ok(resident > 15 && resident < 30, `rss ${resident}`);
  });

  it('reads file data from the disk on first use and from the page cache afterwards', () => {
    const system = bootLinux({ initArgs: ['sh', '-c', 'cat /etc/motd; cat /etc/motd'] });
    const disk = system.machine.disk;
    assert.equal(system.run(133e6 * 10), 'halted');
    const motd = 'Welcome to L4 Lab: Linux 2.0 on a simulated 133 MHz Pentium.\n';
    assert.equal(system.machine.console.output(), motd + motd);
    const reads = disk.reads.value;
    assert.ok(reads > 0, 'binaries and /etc/motd came from the disk');
    const again = bootLinux({ initArgs: ['sh', '-c', 'cat /etc/motd; cat /etc/motd; cat /etc/motd'] });
    again.run(133e6 * 10);
    assert.equal(again.machine.disk.reads.value, reads, 'the third cat reads nothing more from the disk');
  });

  it('writes an ext2-like image: superblock magic, inode table entries, dirent blocks', () => {
    const system = bootLinux({ initArgs: ['sh', '-c', 'true'] });
    const image = system.machine.disk.image;
    const view = new DataView(image.buffer, image.byteOffset);
    assert.equal(view.getUint16(1024 + 56, true), 0xef53);
    const root = system.kernel.fs.root;
    const block = root.blocks[0];
    const text = String.fromCharCode(...image.subarray(block * 1024, block * 1024 + 1024));
    for (const name of ['bin', 'etc', 'tmp', 'dev', 'sbin']) assert.ok(text.includes(name), name);
    const hello = system.kernel.lookupPath(root, '/bin/hello')!;
    const at = (8 + Math.floor(hello.ino / 8)) * 1024 + (hello.ino % 8) * 128;
    assert.equal(view.getUint32(at + 4, true), hello.size);
    assert.equal(view.getUint32(at + 40, true), hello.blocks[0]);
  });

  it('gives an interactive shell on the console: ^C interrupts the foreground command, exit shuts down', () => {
    const system = bootLinux({});
    assert.equal(system.run(133e6), 'waitingForInput');
    system.type('sleep 5\n');
    assert.equal(system.run(133e6 / 2), 'limit');
    system.type('\u0003');
    assert.equal(system.run(133e6), 'waitingForInput');
    assert.ok(system.machine.scheduler.now < 133e6 * 2, 'sleep was interrupted');
    system.type('echo after\nexit 2\n');
    assert.equal(system.run(133e6), 'halted');
    assert.equal(system.exitStatus, 2);
    assert.match(system.machine.console.output(), /# sleep 5\n\^C\n# echo after\n.*after\n/s);
  });

  it('job control: a command runs as the foreground job, ^C reaches only it, ^D at the prompt ends the shell', () => {
    const system = bootLinux({});
    assert.equal(system.run(133e6), 'waitingForInput');
    const shell = [...system.kernel.tasks.values()].find((t) => t.program === 'sh')!;
    assert.equal(shell.pgrp, shell.pid, 'the interactive shell leads its own group');
    assert.equal(system.kernel.tty.foreground, shell.pid);
    system.type('cat | cat\n');
    assert.equal(system.run(133e6), 'waitingForInput');
    const cats = [...system.kernel.tasks.values()].filter((t) => t.program === 'cat');
    assert.equal(cats.length, 2);
    assert.ok(cats.every((t) => t.pgrp === cats[0].pid), 'the pipeline is one job');
    assert.equal(system.kernel.tty.foreground, cats[0].pid, 'the job has the terminal');
    system.type('\u0003');
    assert.equal(system.run(133e6), 'waitingForInput');
    assert.equal([...system.kernel.tasks.values()].filter((t) => t.program === 'cat').length, 0);
    assert.equal(shell.state === 'zombie', false);
    assert.equal(system.kernel.tty.foreground, shell.pid, 'the shell took the terminal back');
    system.type('echo alive\n\u0004');
    assert.equal(system.run(133e6), 'halted');
    assert.equal(system.exitStatus, 0);
    assert.match(system.machine.console.output(), /# cat \| cat\n\^C\n# echo alive\nalive\n# $/);
  });

  it('the shell: & runs a job in the background, wait waits for it, pwd, $? and $$', () => {
    const system = bootLinux({ initArgs: ['sh', '-c', "sleep 1 & echo first; wait; echo waited; false; echo status $? '$?'; cd /tmp; cd ../etc; pwd; echo $$ > /tmp/pid; cat /tmp/pid | wc"] });
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.equal(system.exitStatus, 0);
    assert.match(system.machine.console.output(), /^first\nwaited\nstatus 1 \$\?\n\/etc\n1 2\n$/);
    assert.ok(system.machine.scheduler.now > 133e6, 'wait lasted the background sleep');
    const quoting = bootLinux({ initArgs: ['sh', '-c', `echo '&' ";" a#b '|' # a comment; echo not run`] });
    assert.equal(quoting.run(133e6 * 10), 'halted');
    assert.equal(quoting.machine.console.output(), '& ; a#b |\n', 'quoted operators are words; # begins a comment only at a word');
    for (const [line, message] of [['echo "open', 'unterminated double-quoted string'], ['cat <', "a file name must follow '<'"]]) {
      const broken = bootLinux({ initArgs: ['sh', '-c', line] });
      assert.equal(broken.run(133e6 * 10), 'halted');
      assert.equal(broken.exitStatus, 2);
      assert.equal(broken.machine.console.output(), `sh: syntax error: ${message}\n`);
    }
    const interactive = bootLinux({});
    assert.equal(interactive.run(133e6), 'waitingForInput');
    interactive.type('sleep 1 &\n');
    assert.equal(interactive.run(133e6 / 2), 'waitingForInput', 'the prompt comes back at once');
    assert.match(interactive.machine.console.output(), /# sleep 1 &\n\[\d+\]\n# $/);
    interactive.type('sleep 2\n'); // the background job ends meanwhile: reported at the next prompt
    assert.equal(interactive.run(133e6 * 4), 'waitingForInput');
    assert.match(interactive.machine.console.output(), /# sleep 2\n\[\d+\] Done\n# $/);
  });

  it('preempts a CPU-bound process at the end of its time slice (HZ = 100, 20 ticks)', () => {
    const marks = new Map<string, number>();
    const spinner: GuestProgram = {
      name: 'spinner', textBytes: 8192, dataBytes: 4096, bssBytes: 4096,
      *main(libc) {
        const child = yield* libc.fork(function* (c) {
          c.mark('child-runs');
          yield* c.compute(40_000_000);
          return 0;
        });
        yield* libc.compute(40_000_000);
        libc.mark('parent-done');
        yield* libc.waitpid(child);
        return 0;
      },
    };
    const system = bootLinux({ programs: [spinner], initArgs: ['sh', '-c', 'spinner'] });
    system.runtime.onMark = (label) => marks.set(label, system.machine.scheduler.now);
    assert.equal(system.run(133e6 * 10), 'halted');
    assert.ok(marks.get('child-runs')! < marks.get('parent-done')!, 'the child ran before the parent used up its 300 ms');
  });

  it('is deterministic: the same run gives the same cycle count', () => {
    const times = [0, 1].map(() => {
      const system = bootLinux({ initArgs: ['sh', '-c', 'echo a | cat; hello'] });
      system.run(133e6 * 10);
      return system.machine.scheduler.now;
    });
    assert.equal(times[0], times[1]);
  });
});
