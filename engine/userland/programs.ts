import type { Operation } from '../machine/executionContext';
import { ERRNO_MESSAGE, ERRNO_NAME } from '../linux/core/errno';
import { O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY, SIG, WNOHANG } from '../linux/core/syscalls';
import { dynamicallyLinked } from './dynamicLinking';
import type { Libc } from './libc';
import type { GuestProgram } from './runtime';

const KB = 1024;

/** A small static binary (libc 5 static "hello" of lmbench is 80 KB). */
function tool(name: string, main: GuestProgram['main'], textBytes = 24 * KB): GuestProgram {
  return { name, textBytes, dataBytes: 4 * KB, bssBytes: 8 * KB, startup: { textPages: 3, dataPages: 1, bssPages: 1 }, main };
}

/** Exit status of a wait status word, as the shell reports it. */
export function exitStatus(status: number): number {
  return (status & 0x7f) === 0 ? (status >> 8) & 0xff : 128 + (status & 0x7f);
}

function errorText(result: number): string {
  return ERRNO_MESSAGE[-result] ?? ERRNO_NAME[-result] ?? `error ${-result}`;
}

// ---- init and the shell ----------------------------------------------------------------------

const init: GuestProgram = tool('init', function* (libc: Libc, argv: string[]): Operation<number> {
  const shellArgs = argv.length > 1 ? argv.slice(1) : ['sh'];
  // ^C on the console signals the whole foreground group, init's too: init ignores it
  yield* libc.signal(SIG.SIGINT, 1);
  yield* libc.signal(SIG.SIGQUIT, 1);
  const shell = yield* libc.fork(function* (child: Libc): Operation<number> {
    const result = yield* child.execve('/bin/sh', shellArgs);
    yield* child.print(2, `init: cannot exec /bin/sh: ${errorText(result)}\n`);
    return 127;
  });
  if (shell < 0) return 1;
  for (;;) {
    const [pid, status] = yield* libc.waitpid(-1);
    if (pid < 0) return 1;
    if (pid === shell) {
      // shutdown: flush the buffer cache before the system halts (what sync/umount do)
      yield* libc.sync();
      return exitStatus(status);
    }
  }
});

interface Command {
  argv: string[];
  input?: string;
  output?: string;
  append?: boolean;
}

/** The interactive shell's prompt, printed when it is ready for the next command. */
export const SHELL_PROMPT = '# ';

/** A `$` inside single quotes, kept from expansion until the words are final. */
const QUOTED_DOLLAR = '\u0001';

/** A word of a line, or an operator (`|`, `;`, `&`, `&&`, `<`, `>`, `>>`) written unquoted. */
interface Token {
  text: string;
  operator: boolean;
}

/** A line sh cannot parse (an unterminated quote, a redirection without its file). */
class ShellSyntaxError extends Error {}

/**
 * Splits a line into words and operators, honouring single and double quotes; an unquoted `#`
 * at the start of a word begins a comment.
 * @throws ShellSyntaxError for an unterminated quote.
 */
function words(line: string): Token[] {
  const out: Token[] = [];
  let current = '';
  let quote: string | null = null;
  let any = false;
  const endWord = () => {
    if (current.length > 0 || any) out.push({ text: current, operator: false });
    current = '';
    any = false;
  };
  for (const char of line) {
    if (quote !== null) {
      if (char === quote) quote = null;
      else current += char === '$' && quote === "'" ? QUOTED_DOLLAR : char; // '...' expands nothing
    } else if (char === '"' || char === "'") {
      quote = char;
      any = true;
    } else if (char === '#' && current.length === 0 && !any) {
      break;
    } else if (char === ' ' || char === '\t') {
      endWord();
    } else if (char === '|' || char === ';' || char === '<' || char === '>' || char === '&') {
      endWord();
      const last = out[out.length - 1];
      if (char === '&' && last?.operator === true && last.text === '&') last.text = '&&';
      else if (char === '>' && last?.operator === true && last.text === '>') last.text = '>>';
      else out.push({ text: char, operator: true });
    } else {
      current += char;
    }
  }
  if (quote !== null) throw new ShellSyntaxError(`unterminated ${quote === '"' ? 'double' : 'single'}-quoted string`);
  endWord();
  return out;
}

/** One pipeline of a line: run always (';'), only after success ('&&'), or in the background ('&'). */
interface ListItem {
  pipeline: Command[];
  onlyIfOk: boolean;
  background: boolean;
}

/** A list of pipelines joined by ';' (always) or '&&' (only after success); '&' puts one in the background. */
function parse(line: string): ListItem[] {
  const tokens = words(line);
  const list: ListItem[] = [];
  let pipeline: Command[] = [];
  let command: Command = { argv: [] };
  let onlyIfOk = false;
  const endCommand = () => {
    if (command.argv.length > 0) pipeline.push(command);
    command = { argv: [] };
  };
  const endPipeline = (nextOnlyIfOk: boolean, background = false) => {
    endCommand();
    if (pipeline.length > 0) list.push({ pipeline, onlyIfOk, background });
    pipeline = [];
    onlyIfOk = nextOnlyIfOk;
  };
  const file = (i: number, operator: string): string => {
    const next = tokens[i];
    if (next === undefined || next.operator) throw new ShellSyntaxError(`a file name must follow '${operator}'`);
    return next.text;
  };
  for (let i = 0; i < tokens.length; i++) {
    const { text, operator } = tokens[i];
    if (!operator) command.argv.push(text);
    else if (text === '|') endCommand();
    else if (text === ';') endPipeline(false);
    else if (text === '&&') endPipeline(true);
    else if (text === '&') endPipeline(false, true);
    else if (text === '<') command.input = file(++i, text);
    else {
      command.output = file(++i, text);
      command.append = text === '>>';
    }
  }
  endPipeline(false);
  return list;
}

/**
 * Runs a pipeline and waits for it. With job control (the interactive shell) the pipeline is a
 * job: its own process group (led by its first process; parent and child both call setpgid, as
 * shells do against the race), made the terminal's foreground group while it runs, so ^C signals
 * only the job; the shell takes the terminal back afterwards.
 */
function* runPipeline(libc: Libc, pipeline: Command[], jobControl: boolean, background = false): Operation<number> {
  const pids: number[] = [];
  let job = 0;
  let previousRead = -1;
  for (let index = 0; index < pipeline.length; index++) {
    const command = pipeline[index];
    let pipeRead = -1;
    let pipeWrite = -1;
    if (index < pipeline.length - 1) {
      const [r, w] = yield* libc.pipe();
      if (r < 0) {
        yield* libc.print(2, `sh: pipe: ${errorText(r)}\n`);
        return 1;
      }
      pipeRead = r;
      pipeWrite = w;
    }
    const input = previousRead;
    const leader = job;
    const pid = yield* libc.fork(function* (child: Libc): Operation<number> {
      if (jobControl) yield* child.setpgid(0, leader);
      // a background job ignores the terminal's ^C and ^\, and without job control reads
      // /dev/null rather than the terminal (as sh does with `&`)
      yield* child.signal(SIG.SIGINT, background ? 1 : 0);
      yield* child.signal(SIG.SIGQUIT, background ? 1 : 0);
      if (background && index === 0 && command.input === undefined && !jobControl) {
        const fd = yield* child.open('/dev/null', O_RDONLY);
        if (fd >= 0) {
          yield* child.dup2(fd, 0);
          yield* child.close(fd);
        }
      }
      if (input >= 0) {
        yield* child.dup2(input, 0);
        yield* child.close(input);
      }
      if (pipeWrite >= 0) {
        yield* child.dup2(pipeWrite, 1);
        yield* child.close(pipeWrite);
        yield* child.close(pipeRead);
      }
      if (command.input !== undefined) {
        const fd = yield* child.open(command.input, O_RDONLY);
        if (fd < 0) {
          yield* child.print(2, `sh: ${command.input}: ${errorText(fd)}\n`);
          return 1;
        }
        yield* child.dup2(fd, 0);
        yield* child.close(fd);
      }
      if (command.output !== undefined) {
        const fd = yield* child.open(command.output, O_WRONLY | O_CREAT | (command.append ? 0o2000 : O_TRUNC), 0o644);
        if (fd < 0) {
          yield* child.print(2, `sh: ${command.output}: ${errorText(fd)}\n`);
          return 1;
        }
        yield* child.dup2(fd, 1);
        yield* child.close(fd);
      }
      const name = command.argv[0];
      const path = name.includes('/') ? name : `/bin/${name}`;
      const result = yield* child.execve(path, command.argv);
      yield* child.print(2, `sh: ${name}: ${result === -2 ? 'command not found' : errorText(result)}\n`);
      return result === -2 ? 127 : 126;
    });
    if (input >= 0) yield* libc.close(input);
    if (pipeWrite >= 0) yield* libc.close(pipeWrite);
    previousRead = pipeRead;
    if (pid < 0) {
      yield* libc.print(2, `sh: fork: ${errorText(pid)}\n`);
      return 1;
    }
    if (jobControl) {
      if (job === 0) job = pid;
      yield* libc.setpgid(pid, job);
      if (pid === job && !background) yield* libc.tcsetpgrp(0, job);
    }
    pids.push(pid);
  }
  if (background) {
    if (jobControl) yield* libc.print(2, `[${pids[pids.length - 1]}]\n`);
    return 0;
  }
  let last = 0;
  for (const pid of pids) {
    for (;;) {
      const [done, status] = yield* libc.waitpid(pid);
      if (done === -4) continue; // EINTR
      if (done === pid) last = exitStatus(status);
      break;
    }
  }
  if (jobControl && job !== 0) yield* libc.tcsetpgrp(0, yield* libc.getpgrp());
  return last;
}

/** What the shell keeps between lines: its working directory as it was named ($PWD). */
interface ShellState {
  cwd: string;
}

/** The directory `path` names from `cwd`, '.' and '..' resolved by name, as sh's $PWD does. */
function resolvePath(cwd: string, path: string): string {
  const parts = path.startsWith('/') ? [] : cwd.split('/').filter((p) => p.length > 0);
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

/** Replaces $? by the last status and $$ by the shell's pid in a command's words (not inside '...'). */
function* expand(libc: Libc, pipeline: Command[], status: number): Operation<void> {
  if (pipeline.some((c) => c.argv.some((w) => w.includes('$')))) {
    const pid = yield* libc.getpid();
    for (const command of pipeline) command.argv = command.argv.map((w) => w.replaceAll('$?', String(status)).replaceAll('$$', String(pid)));
  }
  for (const command of pipeline) {
    if (command.argv.some((w) => w.includes(QUOTED_DOLLAR))) command.argv = command.argv.map((w) => w.replaceAll(QUOTED_DOLLAR, '$'));
  }
}

/** Runs one line; returns [status, exitRequested]. */
function* runLine(libc: Libc, line: string, status: number, jobControl = false, shell: ShellState = { cwd: '/' }): Operation<[number, boolean]> {
  let list: ListItem[];
  try {
    list = parse(line);
  } catch (error) {
    if (!(error instanceof ShellSyntaxError)) throw error;
    yield* libc.print(2, `sh: syntax error: ${error.message}\n`);
    return [2, false];
  }
  for (const { pipeline, onlyIfOk, background } of list) {
    if (onlyIfOk && status !== 0) continue;
    yield* expand(libc, pipeline, status);
    const first = pipeline[0].argv;
    const builtin = pipeline.length === 1 && !background ? first[0] : undefined;
    if (builtin === 'exit') return [first[1] !== undefined ? Number(first[1]) & 0xff : status, true];
    if (builtin === 'cd') {
      const target = first[1] ?? '/';
      const result = yield* libc.chdir(target);
      if (result < 0) yield* libc.print(2, `sh: cd: ${target}: ${errorText(result)}\n`);
      else shell.cwd = resolvePath(shell.cwd, target);
      status = result < 0 ? 1 : 0;
      continue;
    }
    if (builtin === 'pwd') {
      status = (yield* libc.print(1, `${shell.cwd}\n`)) < 0 ? 1 : 0;
      continue;
    }
    if (builtin === 'wait') {
      // every child, background jobs included (EINTR: ^C ends the wait)
      for (;;) {
        const [done] = yield* libc.waitpid(-1);
        if (done <= 0) break;
      }
      status = 0;
      continue;
    }
    status = yield* runPipeline(libc, pipeline, jobControl, background);
  }
  return [status, false];
}

/** Reads lines from `fd`, calling `each` per line; prompts when interactive. */
function* readLines(libc: Libc, fd: number, prompt: string | null, each: (line: string) => Operation<boolean>): Operation<void> {
  let pending = '';
  for (;;) {
    if (prompt !== null && pending.length === 0) yield* libc.print(2, prompt);
    const text = yield* libc.readText(fd, 1024);
    if (text === null) {
      continue; // EINTR (^C): prompt again
    }
    if (text.length === 0) {
      if (pending.length > 0) yield* each(pending);
      return;
    }
    pending += text;
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (yield* each(line)) return;
      newline = pending.indexOf('\n');
    }
  }
}

/**
 * The shell. /bin/sh of a 1997 Linux system was bash, dynamically linked against libc.so.5: ld.so
 * maps the library before main (as for the lmbench programs and the tool chain). `-c` runs its
 * command in a child (fork, exec, wait). Sizes and start-up touches are unsourced estimates.
 */
const sh: GuestProgram = { name: 'sh', textBytes: 72 * KB, dataBytes: 8 * KB, bssBytes: 16 * KB, startup: { textPages: 10, dataPages: 2, bssPages: 2 }, ...dynamicallyLinked(function* (libc: Libc, argv: string[]): Operation<number> {
  let status = 0;
  const shell: ShellState = { cwd: '/' };
  if (argv[1] === '-c') {
    const [result] = yield* runLine(libc, argv.slice(2).join(' '), 0, false, shell);
    return result;
  }
  let fd = 0;
  const interactive = argv.length < 2;
  if (!interactive) {
    fd = yield* libc.open(argv[1], O_RDONLY);
    if (fd < 0) {
      yield* libc.print(2, `sh: ${argv[1]}: ${errorText(fd)}\n`);
      return 127;
    }
  } else {
    // an interactive shell ignores ^C and leads its own process group, in the foreground
    yield* libc.signal(SIG.SIGINT, 1);
    yield* libc.setpgid(0, 0);
    yield* libc.tcsetpgrp(0, yield* libc.getpid());
  }
  yield* readLines(libc, fd, interactive ? SHELL_PROMPT : null, function* (line: string): Operation<boolean> {
    const [next, exit] = yield* runLine(libc, line, status, interactive, shell);
    status = next;
    // background jobs that have finished: reaped and reported before the next prompt
    while (interactive && !exit) {
      const [done, code] = yield* libc.waitpid(-1, WNOHANG);
      if (done <= 0) break;
      yield* libc.print(2, `[${done}] Done${code === 0 ? '' : ` (status ${exitStatus(code)})`}\n`);
    }
    return exit;
  });
  return status;
}) };

// ---- tools ------------------------------------------------------------------------------------

const echo = tool('echo', function* (libc: Libc, argv: string[]): Operation<number> {
  const noNewline = argv[1] === '-n';
  const text = argv.slice(noNewline ? 2 : 1).join(' ');
  return (yield* libc.print(1, noNewline ? text : `${text}\n`)) < 0 ? 1 : 0;
});

const cat = tool('cat', function* (libc: Libc, argv: string[]): Operation<number> {
  const buffer = yield* libc.malloc(4096);
  const files = argv.length > 1 ? argv.slice(1) : ['-'];
  let status = 0;
  for (const name of files) {
    const fd = name === '-' ? 0 : yield* libc.open(name, O_RDONLY);
    if (fd < 0) {
      yield* libc.print(2, `cat: ${name}: ${errorText(fd)}\n`);
      status = 1;
      continue;
    }
    for (;;) {
      const n = yield* libc.read(fd, buffer, 4096);
      if (n === -4) continue;
      if (n <= 0) break;
      const written = yield* libc.write(1, buffer, n);
      if (written < 0) return 1;
    }
    if (fd !== 0) yield* libc.close(fd);
  }
  return status;
});

const ls = tool('ls', function* (libc: Libc, argv: string[]): Operation<number> {
  const long = argv[1] === '-l';
  const targets = argv.slice(long ? 2 : 1);
  let status = 0;
  for (const target of targets.length > 0 ? targets : ['.']) {
    const names = yield* libc.listDirectory(target);
    if (typeof names === 'number') {
      const [result, size] = yield* libc.stat(target);
      if (result === 0) {
        yield* libc.print(1, long ? `${String(size).padStart(8)} ${target}\n` : `${target}\n`);
        continue;
      }
      yield* libc.print(2, `ls: ${target}: ${errorText(names)}\n`);
      status = 1;
      continue;
    }
    if (targets.length > 1) yield* libc.print(1, `${target}:\n`);
    let out = '';
    for (const name of names.filter((n) => n !== '.' && n !== '..')) {
      if (long) {
        const [, size, mode] = yield* libc.stat(`${target}/${name}`);
        const kind = (mode & 0o170000) === 0o040000 ? 'd' : (mode & 0o170000) === 0o020000 ? 'c' : '-';
        out += `${kind} ${String(size).padStart(8)} ${name}\n`;
      } else out += `${name}\n`;
    }
    yield* libc.print(1, out);
  }
  return status;
});

const ps = tool('ps', function* (libc: Libc): Operation<number> {
  const names = yield* libc.listDirectory('/proc');
  if (typeof names === 'number') return 1;
  let out = '  PID  PPID STAT COMMAND\n';
  for (const name of names.filter((n) => /^\d+$/.test(n))) {
    const fd = yield* libc.open(`/proc/${name}`, O_RDONLY);
    if (fd < 0) continue;
    const text = (yield* libc.readText(fd, 256)) ?? '';
    yield* libc.close(fd);
    const [pid, ppid, state, comm] = text.trim().split(' ');
    out += `${pid.padStart(5)} ${ppid.padStart(5)} ${state.padEnd(4)} ${comm}\n`;
  }
  yield* libc.print(1, out);
  return 0;
});

const kill = tool('kill', function* (libc: Libc, argv: string[]): Operation<number> {
  let signal: number = SIG.SIGTERM;
  let args = argv.slice(1);
  if (args[0]?.startsWith('-')) {
    const name = args[0].slice(1);
    signal = /^\d+$/.test(name) ? Number(name) : (SIG as Record<string, number>)[`SIG${name}`] ?? (SIG as Record<string, number>)[name] ?? -1;
    args = args.slice(1);
  }
  if (signal < 0 || args.length === 0) {
    yield* libc.print(2, 'usage: kill [-SIGNAL] pid...\n');
    return 1;
  }
  let status = 0;
  for (const arg of args) {
    const result = yield* libc.kill(Number(arg), signal);
    if (result < 0) {
      yield* libc.print(2, `kill: ${arg}: ${errorText(result)}\n`);
      status = 1;
    }
  }
  return status;
});

/** lmbench's hello: a static binary that writes one line (80 KB, touches ~32 TLB entries). */
const hello: GuestProgram = {
  name: 'hello', textBytes: 68 * KB, dataBytes: 12 * KB, bssBytes: 4 * KB,
  startup: { textPages: 16, dataPages: 3, bssPages: 1 },
  main: function* (libc: Libc): Operation<number> {
    return (yield* libc.print(1, 'Hello world\n')) < 0 ? 1 : 0;
  },
};

const trueProgram = tool('true', function* (): Operation<number> {
  return 0;
});
const falseProgram = tool('false', function* (): Operation<number> {
  return 1;
});

const sleep = tool('sleep', function* (libc: Libc, argv: string[]): Operation<number> {
  const seconds = Number(argv[1] ?? '1');
  const result = yield* libc.sleep(Math.floor(seconds), Math.round((seconds % 1) * 1e9));
  return result < 0 ? 1 : 0;
});

const touchFile = tool('touch', function* (libc: Libc, argv: string[]): Operation<number> {
  for (const name of argv.slice(1)) {
    const fd = yield* libc.open(name, O_WRONLY | O_CREAT, 0o644);
    if (fd < 0) return 1;
    yield* libc.close(fd);
  }
  return 0;
});

const rm = tool('rm', function* (libc: Libc, argv: string[]): Operation<number> {
  let status = 0;
  for (const name of argv.slice(1)) {
    const result = yield* libc.unlink(name);
    if (result < 0) {
      yield* libc.print(2, `rm: ${name}: ${errorText(result)}\n`);
      status = 1;
    }
  }
  return status;
});

/** sync: flushes the buffer cache to the disk (sync(2)). */
const sync = tool('sync', function* (libc: Libc): Operation<number> {
  return (yield* libc.sync()) < 0 ? 1 : 0;
});

const wc = tool('wc', function* (libc: Libc): Operation<number> {
  let lines = 0;
  let chars = 0;
  for (;;) {
    const text = yield* libc.readText(0, 1024);
    if (text === null || text.length === 0) break;
    chars += text.length;
    for (const c of text) if (c === '\n') lines++;
  }
  yield* libc.print(1, `${lines} ${chars}\n`);
  return 0;
});

export const SYSTEM_PROGRAMS: readonly GuestProgram[] = [init, sh, echo, cat, ls, ps, kill, hello, trueProgram, falseProgram, sleep, touchFile, rm, wc, sync];
