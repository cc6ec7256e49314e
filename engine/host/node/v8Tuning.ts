/**
 * V8 settings for the simulator's hot loops, applied when the CLI starts (before engine code is
 * optimized). The MMU's access path (translate → TLB lookup → cache line lookups) and the IPC
 * paths are chains of small methods; V8's default inlining budget (920 bytes of bytecode per
 * optimized function) runs out inside them, leaving calls on every simulated memory access.
 * A larger budget lets them inline (about 10 % fewer host instructions per simulated IPC, as
 * counted by valgrind). Host-side only: simulated results do not change. The VS Code extension
 * host is not tuned (its V8 flags are shared with other extensions).
 */
import v8 from 'node:v8';

const FLAGS = ['--max-inlined-bytecode-size-cumulative=2000', '--max-inlined-bytecode-size=700'];

for (const flag of FLAGS) v8.setFlagsFromString(flag);
