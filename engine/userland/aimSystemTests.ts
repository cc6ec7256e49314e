import { ACCESS_WRITE } from '../machine/cpu';
import type { Operation } from '../machine/executionContext';
import { NR, O_RDONLY, SIG } from '../linux/core/syscalls';
import type { AimTest } from './aimComputeTests';
import { AIM_SCRIPT, type AimUser } from './aimUser';
import { runProgram } from './fileHelpers';
import type { Libc } from './libc';
import { MACRO_COSTS } from './macroParameters';

const C = MACRO_COSTS;
const PAGE = 4096;

/** creat_clo: creat and close one file again and again, then unlink it. */
function* creatClo(user: AimUser): Operation<number> {
  const libc = user.libc;
  const path = user.path('creat');
  const loops = user.scaled(C.aimCreatCloses);
  for (let i = 0; i < loops; i++) {
    const fd = yield* libc.creat(path, 0o777);
    if (fd < 0 || (yield* libc.close(fd)) < 0) return 1;
  }
  if (loops > 0) yield* libc.unlink(path);
  return 0;
}

/**
 * link_test: a file and 7 more names for it, each removed and made again LINK_LOOP times. Our
 * Linux has no link(2): each new name is made by creat + close (a directory entry added, as link
 * adds one, but for a new inode) — the nearest stand-in with the same directory operations.
 */
function* linkTest(user: AimUser): Operation<number> {
  const libc = user.libc;
  const names = Array.from({ length: C.aimLinks }, (_, i) => user.path(`link${i}_`));
  const fd = yield* libc.creat(names[0], 0o777);
  if (fd < 0) return 1;
  const link = function* (name: string): Operation<number> {
    const made = yield* libc.creat(name, 0o777);
    return made < 0 ? made : yield* libc.close(made);
  };
  for (const name of names.slice(1)) if ((yield* link(name)) < 0) return 1;
  const loops = user.scaled(C.aimLinkLoops);
  for (let n = 0; n < loops; n++) {
    for (const name of names.slice(1)) {
      if ((yield* libc.unlink(name)) < 0 || (yield* link(name)) < 0) return 1;
    }
  }
  for (const name of names) if ((yield* libc.unlink(name)) < 0) return 1;
  yield* libc.close(fd);
  return 0;
}

/** brk_test and page_test: move the break up 1 MB, then give back 16 pages and take them again a page at a time (page_test dirtying each). */
function brkLoops(loops: number, dirty: boolean): AimTest {
  return function* (user: AimUser): Operation<number> {
    const libc = user.libc;
    const old = yield* libc.brk(0);
    let top = yield* libc.brk(old + C.aimBrkInitialBytes);
    if (top !== old + C.aimBrkInitialBytes) return 1;
    const rounds = user.scaled(loops);
    for (let n = 0; n < rounds; n++) {
      top = yield* libc.brk(top - C.aimBrkPages * PAGE);
      for (let page = 0; page < C.aimBrkPages; page++) {
        const start = top;
        top = yield* libc.brk(top + PAGE);
        if (top !== start + PAGE) return 1;
        if (dirty) for (let at = 0; at < PAGE; at += C.aimDirtyStride) yield* libc.touch(start + at, 1, ACCESS_WRITE);
      }
    }
    yield* libc.brk(old);
    return 0;
  };
}

/** signal_test: SIGUSR2 sent to itself until its handler (re-installing itself, System V style) counted them all. */
function* signalTest(user: AimUser): Operation<number> {
  const libc = user.libc;
  const signals = user.scaled(C.aimSignals);
  let caught = 0;
  const handler = function* (c: Libc): Operation<void> {
    yield* c.signal(SIG.SIGUSR2, handler);
    caught++;
  };
  const self = yield* libc.getpid();
  yield* libc.signal(SIG.SIGUSR2, handler);
  while (caught < signals) {
    if ((yield* libc.kill(self, SIG.SIGUSR2)) < 0) return 1;
  }
  return 0;
}

/** fork_test: fork, the child exits at once, the parent waits. */
function* forkTest(user: AimUser): Operation<number> {
  const forks = user.scaled(C.aimForks);
  for (let i = 0; i < forks; i++) {
    const pid = yield* user.libc.fork(function* (): Operation<number> {
      return 0;
    });
    if (pid < 0) return 1;
    yield* user.libc.waitpid(pid);
  }
  return 0;
}

/**
 * exec_test: fork and exec `true`, which re-aim-7 ships as a shell script (ls -l > /dev/null).
 * Our kernel has no #! loader, so the child execs the interpreter with the script, which is what
 * binfmt_script makes of it.
 */
function* execTest(user: AimUser): Operation<number> {
  const execs = user.scaled(C.aimExecs);
  for (let i = 0; i < execs; i++) {
    if ((yield* runProgram(user.libc, '/bin/sh', ['sh', AIM_SCRIPT, String(user.users)])) !== 0) return 1;
  }
  return 0;
}

/**
 * shell_rtns_1: aim_system forks a child that calls system("aim_1.sh LOAD"): /bin/sh -c runs the
 * script (its interpreter exec'd with it, as binfmt_script would), which runs ls -l > /dev/null.
 */
function* shellRtns(user: AimUser): Operation<number> {
  if (user.scaled(1) === 0) return 0;
  const pid = yield* user.libc.fork(function* (child: Libc): Operation<number> {
    return yield* runProgram(child, '/bin/sh', ['sh', '-c', `sh ${AIM_SCRIPT} ${user.users}`]);
  });
  if (pid < 0) return 1;
  const [, status] = yield* user.libc.waitpid(pid);
  return status === 0 ? 0 : 1;
}

/**
 * dir_rtns_1: readdir of /bin, rewinddir at its end. libc's readdir refills its buffer with
 * getdents (1 KB here) only when it is used up; rewinddir is an lseek to 0.
 */
function* dirRtns(user: AimUser): Operation<number> {
  const libc = user.libc;
  const fd = yield* libc.open('/bin', O_RDONLY);
  if (fd < 0) return 1;
  const buffer = yield* libc.malloc(1024);
  const entries = user.scaled(C.aimReaddirs);
  let buffered = 0;
  for (let n = 0; n < entries; n++) {
    if (buffered === 0) {
      const bytes = yield* libc.syscall(NR.getdents, fd, buffer, 1024);
      if (bytes < 0) return 1;
      if (bytes === 0) {
        // the end: this readdir returns NULL and the test rewinds
        yield* libc.lseek(fd, 0, 0);
        continue;
      }
      // a dirent of /bin's short names takes ~20 bytes
      buffered = Math.ceil(bytes / 20);
    }
    buffered--;
  }
  yield* libc.close(fd);
  return 0;
}

/**
 * misc_rtns_1: the identity, time, terminal and password-file calls of a program's start. The
 * system calls our Linux lacks (getuid, geteuid, getgid, getegid, getgroups, times twice, uname,
 * the isatty/ttyname ioctls) are stood in by getppid, a call of the same short kind; getcwd (a
 * walk of .. in libc 5) by a stat of . and .. and a read of ..; getpwnam, getpwuid and getgrgid
 * read /etc/passwd (open, read, close) — getgrgid's /etc/group is stood in by it too.
 */
function* miscRtns(user: AimUser): Operation<number> {
  const libc = user.libc;
  const buffer = yield* libc.malloc(1024);
  const loops = user.scaled(C.aimMiscLoops);
  for (let n = 0; n < loops; n++) {
    yield* libc.stat('.');
    yield* libc.stat('..');
    const names = yield* libc.listDirectory('..');
    if (typeof names === 'number') return 1;
    for (let call = 0; call < 10; call++) yield* libc.getppid();
    yield* libc.getpid();
    yield* libc.getpgrp();
    yield* libc.getppid();
    for (let lookup = 0; lookup < 3; lookup++) {
      const fd = yield* libc.open('/etc/passwd', O_RDONLY);
      if (fd < 0) return 1;
      yield* libc.read(fd, buffer, 1024);
      yield* libc.close(fd);
    }
  }
  return 0;
}

/** The tests of process creation, memory, signals and the file name space, by name. */
export const AIM_SYSTEM_TESTS: ReadonlyMap<string, AimTest> = new Map<string, AimTest>([
  ['creat_clo', creatClo],
  ['link_test', linkTest],
  ['brk_test', brkLoops(C.aimBrkLoops, false)],
  ['page_test', brkLoops(C.aimPageLoops, true)],
  ['signal_test', signalTest],
  ['fork_test', forkTest],
  ['exec_test', execTest],
  ['shell_rtns_1', shellRtns],
  ['dir_rtns_1', dirRtns],
  ['misc_rtns_1', miscRtns],
]);
