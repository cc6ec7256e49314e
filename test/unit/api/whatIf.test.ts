import * as assert from 'node:assert/strict';
import { bootSystem, runSuite, type ResultRecord } from '../../../engine/api';
import { Lab } from '../../../engine/api/lab';
import type { L4Linux } from '../../../engine/linux/l4/l4linux';
import type { MkLinux } from '../../../engine/linux/mach/mklinux';
import type { NativeLinux } from '../../../engine/linux/native/nativeLinux';

const valueOf = (results: readonly ResultRecord[], benchmark: string) => results.find((r) => r.benchmark === benchmark)!.value;

describe('kernel-parameter what-ifs', function () {
  this.timeout(120000);

  it('an L4 IPC path parameter changes the short IPC by its own cycles, and the report records it', () => {
    const published = runSuite('ipc', ['l4']);
    const whatIf = runSuite('ipc', ['l4'], { kernels: { l4: { ipcShortPathCycles: 40 } } });
    assert.equal(valueOf(whatIf.results, 'ipc.short.small') - valueOf(published.results, 'ipc.short.small'), 20);
    assert.equal(published.overrides, undefined);
    assert.deepEqual(whatIf.overrides, { 'l4.ipcShortPathCycles': 40 });
    assert.match(whatIf.machine, /what-if: l4\.ipcShortPathCycles=40$/);
  });

  it('a personality parameter reaches the guest benchmark through the Linux harness', () => {
    const published = runSuite('getpid', ['linux']);
    const whatIf = runSuite('getpid', ['linux'], { kernels: { linux: { sysGetpid: 40 } } });
    // sys_getpid is charged at machine.instruction = 1 cycle per instruction: 36 more
    assert.equal(Math.round(valueOf(whatIf.results, 'getpid.cycles') - valueOf(published.results, 'getpid.cycles')), 36);
  });

  it('every Linux system is built with the tables of its kernels', () => {
    const kernels = { l4: { ipcShortPathCycles: 41 }, linux: { sysGetpid: 9 }, native: { saveAllSimple: 17 }, l4linux: { serverPriority: 101 }, mach: { machMsgTrap: 43 }, mklinux: { serverDemuxSimple: 150 } };
    const linux = bootSystem('linux', { ...kernels, initArgs: ['true'] });
    assert.equal(linux.kernel.p.sysGetpid, 9);
    assert.equal((linux.substrate as unknown as NativeLinux).n.saveAllSimple, 17);
    const l4linux = bootSystem('l4linux-trampoline', { ...kernels, initArgs: ['true'] }).substrate as unknown as L4Linux;
    assert.equal(l4linux.l4.p.ipcShortPathCycles, 41);
    assert.equal(l4linux.n.serverPriority, 101);
    assert.equal(l4linux.kernel.p.sysGetpid, 9);
    const mklinux = bootSystem('mklinux-user', { ...kernels, initArgs: ['true'] }).substrate as unknown as MkLinux;
    assert.equal(mklinux.mach.p.machMsgTrap, 43);
    assert.equal(mklinux.p.serverDemuxSimple, 150);
  });

  it('lab.setParameters sets what-ifs for later suites, rejects bad ones and {} restores the published result', () => {
    const lab = new Lab(() => undefined);
    const published = lab.runSuite('ipc', ['l4'], { quiet: true });
    assert.match(lab.setParameters({ 'l4.ipcShortPathCycles': 40 }), /l4\.ipcShortPathCycles = 40 cycles \(published 20\)/);
    const whatIf = lab.runSuite('ipc', ['l4'], { quiet: true });
    assert.equal(valueOf(whatIf.results, 'ipc.short.small') - valueOf(published.results, 'ipc.short.small'), 20);
    assert.deepEqual(whatIf.overrides, { 'l4.ipcShortPathCycles': 40 });
    assert.throws(() => lab.setParameters({ 'l4.ipcShortPath': 40 }), { name: 'ParameterError', message: /did you mean 'l4\.ipcShortPathCycles'/ });
    assert.deepEqual(lab.parameters('l4', { quiet: true }).filter((row) => row.overridden).map((row) => row.qualifiedName), ['l4.ipcShortPathCycles'], 'a rejected call changes nothing');
    assert.match(lab.setMachine({ clockMHz: 200 }), /200 MHz/);
    assert.deepEqual(lab.parameters(undefined, { quiet: true }).filter((row) => row.overridden).map((row) => row.qualifiedName), ['machine.clockMHz', 'l4.ipcShortPathCycles'], 'setMachine keeps kernel what-ifs');
    assert.match(lab.setParameters({}), /the paper's configuration/);
    const restored = lab.runSuite('ipc', ['l4'], { quiet: true });
    assert.deepEqual(restored, published);
  });

  it('a what-if result table says so in its title', () => {
    const titles: string[] = [];
    const lab = new Lab((items) => {
      for (const item of items) if (item.mime === 'text/plain') titles.push(String(item.data).split('\n')[0]!);
    });
    lab.setParameters({ 'l4.ipcShortPathCycles': 40 });
    lab.runSuite('ipc', ['l4']);
    assert.match(titles.at(-1)!, /WHAT-IF RUN, not the paper's configuration: l4\.ipcShortPathCycles=40/);
  });
});
