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
  loopOverhead: { value: 2, unit: 'instructions', provenance: 'I', source: 'lmbench loop: incl + cmpl/jl (the call is in syscallStub)', description: 'benchmark loop overhead per iteration' },
  rpcClient: { value: 1400, unit: 'instructions', provenance: 'I', source: 'Sun RPC 4.0 clnt_udp.c/clnt_tcp.c clnt_call + xdr_callmsg/xdr_replymsg (~10 XDR primitives of 30-50 instructions + bookkeeping); select()/gettimeofday() are not system calls in this model', description: 'RPC client work per call' },
  rpcServer: { value: 1100, unit: 'instructions', provenance: 'I', source: 'Sun RPC 4.0 svc_udp.c/svc_tcp.c svc_getreq + dispatch + xdr_replymsg', description: 'RPC server work per call' },
  rpcCallBytes: { value: 40, unit: 'B', provenance: 'R', source: 'RPC call header with AUTH_NULL credentials and verifier (RFC 1057)', description: 'RPC call message' },
  rpcReplyBytes: { value: 24, unit: 'B', provenance: 'R', source: 'RPC accepted reply header with AUTH_NULL verifier (RFC 1057)', description: 'RPC reply message' },
});

export const USER_COSTS = new ParameterTable('userland', USER_PARAMETERS).values;
