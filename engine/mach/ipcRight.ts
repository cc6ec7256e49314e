import { TYPE_DEAD_NAME, TYPE_RECEIVE, TYPE_SEND, TYPE_SEND_ONCE, UREFS_MAX, type IpcSpace } from './ipcSpace';
import { MACH_PORT_DEAD, MSG_TYPE, MSG_TYPE_PORT_RECEIVE, MSG_TYPE_PORT_SEND, MSG_TYPE_PORT_SEND_ONCE } from './machConstants';
import type { MachKernel } from './machKernel';
import type { Port } from './port';

/**
 * Port rights in transit and their translation between names and ports (ipc/ipc_right.c,
 * ipc/ipc_object.c). Copyin is split as kernel calls are (STYLE.md §6): {@link checkCopyin}
 * decides whether a name in a space can supply a disposition, changing nothing; {@link copyin}
 * then performs it and cannot fail. A right in transit is a port plus the type the receiver will
 * get (PORT_SEND, PORT_SEND_ONCE, PORT_RECEIVE); its count is already in the port.
 */

/** Why a name cannot supply a right: 'invalid' (no such right), 'dead' (the port died). */
export type CopyinCheck = 'ok' | 'invalid' | 'dead';

/** The right type a disposition yields in transit. */
export function transitType(disposition: number): number {
  switch (disposition) {
    case MSG_TYPE.MOVE_RECEIVE:
      return MSG_TYPE_PORT_RECEIVE;
    case MSG_TYPE.MOVE_SEND:
    case MSG_TYPE.COPY_SEND:
    case MSG_TYPE.MAKE_SEND:
      return MSG_TYPE_PORT_SEND;
    case MSG_TYPE.MOVE_SEND_ONCE:
    case MSG_TYPE.MAKE_SEND_ONCE:
      return MSG_TYPE_PORT_SEND_ONCE;
    default:
      return -1;
  }
}

/**
 * ipc_right_check: an entry holding send or send-once rights to a port that died becomes a dead
 * name (lazily, on its next use, as in Mach). Returns true if the entry is now a dead name.
 */
export function checkDead(space: IpcSpace, index: number): boolean {
  const type = space.typeOf(index);
  if ((type & (TYPE_SEND | TYPE_SEND_ONCE)) === 0 || (type & TYPE_RECEIVE) !== 0) return (type & TYPE_DEAD_NAME) !== 0;
  const port = space.objectOf(index);
  if (port === undefined || port.active) return false;
  const urefs = (type & TYPE_SEND_ONCE) !== 0 ? 1 : space.urefsOf(index);
  if ((type & TYPE_SEND) !== 0) port.sendRights--;
  else port.sendOnceRights--;
  space.makeDeadName(index, urefs);
  return true;
}

/** Can `name` in `space` supply `disposition`? Changes nothing except lazy dead-name conversion. */
export function checkCopyin(k: MachKernel, space: IpcSpace, name: number, disposition: number): CopyinCheck {
  k.execute(k.paths.entryLookup);
  const index = space.lookup(name);
  if (index < 0) return 'invalid';
  if (checkDead(space, index)) return 'dead';
  const type = space.typeOf(index);
  const port = space.objectOf(index);
  if (port !== undefined) k.memory.touch(port.address, k.p.portBytes);
  switch (disposition) {
    case MSG_TYPE.MAKE_SEND:
    case MSG_TYPE.MAKE_SEND_ONCE:
    case MSG_TYPE.MOVE_RECEIVE:
      return (type & TYPE_RECEIVE) !== 0 ? 'ok' : 'invalid';
    case MSG_TYPE.COPY_SEND:
    case MSG_TYPE.MOVE_SEND:
      return (type & TYPE_SEND) !== 0 ? 'ok' : 'invalid';
    case MSG_TYPE.MOVE_SEND_ONCE:
      return (type & TYPE_SEND_ONCE) !== 0 ? 'ok' : 'invalid';
    default:
      return 'invalid';
  }
}

/**
 * ipc_right_copyin of a copyin that {@link checkCopyin} accepted: charged as the function
 * (a right made from a receive right is the shorter arm), then {@link takeRight}.
 */
export function copyin(k: MachKernel, space: IpcSpace, name: number, disposition: number): Port {
  const made = disposition === MSG_TYPE.MAKE_SEND || disposition === MSG_TYPE.MAKE_SEND_ONCE;
  k.execute(made ? k.paths.rightCopyinMake : k.paths.rightCopyin);
  return takeRight(k, space, name, disposition);
}

/**
 * The effect of a right's copyin, without its cost: for the mach_msg hot path, which does it in
 * line (its own paths charge it). Returns the port now in transit.
 */
export function takeRight(k: MachKernel, space: IpcSpace, name: number, disposition: number): Port {
  const index = space.lookup(name);
  const type = space.typeOf(index);
  const port = space.objectOf(index)!;
  k.memory.touchUpdate(port.address, 16);
  switch (disposition) {
    case MSG_TYPE.MAKE_SEND:
      port.makeSendCount++;
      port.sendRights++;
      break;
    case MSG_TYPE.MAKE_SEND_ONCE:
      port.sendOnceRights++;
      break;
    case MSG_TYPE.COPY_SEND:
      port.sendRights++;
      break;
    case MSG_TYPE.MOVE_SEND: {
      const urefs = space.urefsOf(index) - 1;
      if (urefs > 0) space.setBits(index, type, urefs);
      else if ((type & TYPE_RECEIVE) !== 0) space.setBits(index, type & ~TYPE_SEND, 0);
      else space.free(index);
      break;
    }
    case MSG_TYPE.MOVE_SEND_ONCE:
      space.free(index);
      break;
    case MSG_TYPE.MOVE_RECEIVE:
      port.receiver = null;
      if ((type & TYPE_SEND) !== 0) space.setBits(index, type & ~TYPE_RECEIVE, space.urefsOf(index));
      else space.free(index);
      break;
  }
  return port;
}

/**
 * ipc_object_copyout: installs a right of type `transit` (PORT_SEND, PORT_SEND_ONCE,
 * PORT_RECEIVE) to `port` in `space` and returns its name. A send right merges with an existing
 * send right or receive right of the space (one name per port); a send right to a dead port
 * arrives as MACH_PORT_DEAD. Returns -1 only if the space cannot grow (the right is then
 * destroyed by the caller).
 */
export function copyout(k: MachKernel, space: IpcSpace, port: Port, transit: number): number {
  k.execute(k.paths.rightCopyout);
  return placeRight(k, space, port, transit);
}

/**
 * The effect of {@link copyout} without its cost, for callers whose own paths charge it (the
 * mach_msg hot path, a header's send-once reply right).
 */
export function placeRight(k: MachKernel, space: IpcSpace, port: Port, transit: number): number {
  k.memory.touchUpdate(port.address, 16);
  if (!port.active && transit !== MSG_TYPE_PORT_RECEIVE) {
    releaseRight(port, transit);
    return MACH_PORT_DEAD;
  }
  if (transit === MSG_TYPE_PORT_SEND_ONCE) {
    const index = space.allocate(port, TYPE_SEND_ONCE, 1);
    return index < 0 ? -1 : space.nameOf(index);
  }
  const existing = space.reverseLookup(port);
  if (existing >= 0) {
    const type = space.typeOf(existing);
    const urefs = space.urefsOf(existing);
    if (transit === MSG_TYPE_PORT_SEND) {
      if ((type & TYPE_SEND) !== 0) port.sendRights--; // merged into the send right already there
      space.setBits(existing, type | TYPE_SEND, Math.min(UREFS_MAX, urefs + 1));
    } else {
      space.setBits(existing, type | TYPE_RECEIVE, urefs);
      port.receiver = space;
    }
    space.noteReverse(port, existing);
    return space.nameOf(existing);
  }
  const index = space.allocate(port, transit === MSG_TYPE_PORT_SEND ? TYPE_SEND : TYPE_RECEIVE, transit === MSG_TYPE_PORT_SEND ? 1 : 0);
  if (index < 0) return -1;
  if (transit === MSG_TYPE_PORT_RECEIVE) port.receiver = space;
  return space.nameOf(index);
}

/**
 * Drops a right in transit (ipc_object_destroy): counts, destroys a port whose receive right
 * goes, and hands an unused send-once right to `sendOnceDestroyed` (which sends the send-once
 * notification through it) when given.
 */
export function releaseRight(port: Port, transit: number, destroyPort?: (port: Port) => void, sendOnceDestroyed?: (port: Port) => void): void {
  if (transit === MSG_TYPE_PORT_SEND) port.sendRights--;
  else if (transit === MSG_TYPE_PORT_SEND_ONCE) {
    if (sendOnceDestroyed !== undefined) sendOnceDestroyed(port);
    else port.sendOnceRights--;
  }
  else if (transit === MSG_TYPE_PORT_RECEIVE && destroyPort !== undefined) destroyPort(port);
}
