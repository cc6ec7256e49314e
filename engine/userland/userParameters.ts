import { defineParameters, ParameterTable } from '../base/parameters';

/**
 * User-level costs of the guest C library and of the Sun RPC library the lmbench programs link,
 * in instructions (charged at the machine's `instruction` cycles, category user) or bytes. They
 * are the same on every system: only the trap behind the stubs differs.
 */
export const USER_PARAMETERS = defineParameters({
  syscallStub: { value: 6, unit: 'instructions', provenance: 'I', source: 'libc 5 _syscallN stub (include/asm-i386/unistd.h): movl $NR,%eax; argument loads; int $0x80; cmpl $-125,%eax; jbe; ret — plus the call', description: 'system-call stub of the C library' },
  stubBytes: { value: 16, unit: 'B', provenance: 'I', source: 'size of a _syscall stub', description: "stub code fetched through the I-TLB and I-cache" },
  stubFrameBytes: { value: 20, unit: 'B', provenance: 'R', source: 'i386 cdecl call of a _syscall3 stub: 3 arguments + return address + pushl %ebx', description: "stub frame on the user stack" },
  pltStub: { value: 1, unit: 'instructions', provenance: 'R', source: 'System V i386 ABI supplement, PLT entry of an executable: jmp *name@GOT (the pushl/jmp .PLT0 after it run only before the slot is bound)', description: 'PLT stub of a call into the shared C library' },
  pltEntryBytes: { value: 16, unit: 'B', provenance: 'R', source: 'System V i386 ABI supplement: each PLT entry is 16 bytes (jmp *GOT slot; pushl $reloc; jmp .PLT0)', description: 'PLT entry fetched through the I-TLB and I-cache' },
  lazyBinding: { value: 300, unit: 'instructions', provenance: 'I', source: 'ld.so of libc 5 (ld-linux.so.1) _dl_runtime_resolve + fixup: save registers, find the JMP_SLOT relocation, ELF-hash the name and walk the hash chain of libc.so.5\'s dynamic symbols, write the GOT slot (estimate)', description: 'first call through a PLT slot: the dynamic linker binds it' },
  libcWrapperOffset: { value: 0x40000, unit: 'B', provenance: 'I', source: 'libc.so.5 text: the system-call wrappers (one small object per call from sysdeps/linux) are linked after the portable stdio/stdlib/string code (estimate)', description: 'offset of the system-call wrappers in the shared C library text' },
  libcWrapperStride: { value: 32, unit: 'B', provenance: 'I', source: 'a _syscallN wrapper (~16 B) padded to the 16-byte function alignment of gcc -O2, plus errno handling (estimate)', description: 'spacing of consecutive system-call wrappers in the shared C library' },
  loopOverhead: { value: 2, unit: 'instructions', provenance: 'I', source: 'lmbench loop: incl + cmpl/jl (the call is in syscallStub)', description: 'benchmark loop overhead per iteration' },
  xdrPrimitive: { value: 18, unit: 'instructions', provenance: 'I', source: 'RPCSRC 4.0 xdr.c xdr_u_long/xdr_enum (op test, call through xdrs->x_ops) + xdr_mem.c xdrmem_putlong/getlong (x_handy check, htonl as rol/xchg, pointer bump); the memory access itself is charged by the cache model', description: 'one XDR unit encoded or decoded' },
  rpcClientCall: { value: 160, unit: 'instructions', provenance: 'I', source: 'RPCSRC 4.0 clnt_udp.c/clnt_tcp.c clnt_call: timeout set-up, XDR_SETPOS, AUTH_MARSHALL/AUTH_VALIDATE dispatch, fd_set set-up for select, xid and reply checks, _seterr_reply (the XDR units and system calls are counted apart)', description: 'RPC client bookkeeping per call' },
  rpcServerRequest: { value: 220, unit: 'instructions', provenance: 'I', source: 'RPCSRC 4.0 svc.c svc_getreqset (scan of svc_fdset, xports[] lookup, SVC_RECV, search of the svc_head program list, dispatch) + svc_sendreply + SVC_REPLY set-up (XDR units and system calls apart)', description: 'RPC server bookkeeping per request' },
});

export const USER_COSTS = new ParameterTable('userland', USER_PARAMETERS).values;
