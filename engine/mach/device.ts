import { PAGE_SIZE } from '../base/frameAllocator';
import { CAT } from '../machine/cpu';
import type { Activity } from '../machine/executionContext';
import { SECTOR_SIZE } from '../machine/disk';
import { KernelMessageWriter, KernelObjectServer, type KernelRoutine } from './ipcKobject';
import { kernelLinear } from './kernelMemory';
import { KERN, MIG, MIG_REPLY_OFFSET, MSG_HEADER_BYTES, MSG_ID, MSG_TYPE_PORT_SEND } from './machConstants';
import type { MachKernel } from './machKernel';
import type { Port } from './port';

/** Device codes accepted by device_open (this model passes a code instead of a name string). */
export const DEVICE = { console: 0, disk: 1 } as const;

/** A read in progress (device/io_req.h io_req): where the data goes and whom to answer. */
interface IoRequest {
  readonly replyPort: Port;
  readonly replyType: number;
  readonly physical: number;
  readonly pages: number;
  readonly bytes: number;
}

/**
 * Devices as OSF Mach offered them to a user-level server (device/ds_routines.c): the drivers
 * and their interrupt handlers are in the kernel; a server opens a device on the master device
 * port and sends device_read/device_write requests to the device port. A disk read is
 * asynchronous: the request starts the DMA and returns no reply (MIG_NO_REPLY); the disk
 * interrupt (IRQ 14) completes it in the kernel, and the reply message device_read_reply carries
 * the data out of line: the DMA pages themselves become the pages of the copy (no copy).
 * The console's device_write is synchronous.
 */
export class DeviceService {
  readonly masterPort: Port;
  private readonly devicePorts: Port[] = [];
  private readonly completed: IoRequest[] = [];
  private readonly writer: KernelMessageWriter;
  interrupts = 0;

  constructor(private readonly k: MachKernel) {
    this.writer = new KernelMessageWriter(k);
    const master = new Map<number, { replyBytes: number; run: KernelRoutine<null> }>();
    master.set(MSG_ID.deviceOpen, {
      replyBytes: 8,
      *run(_target, args, reply) {
        args.int(); // mode
        const code = args.int();
        if (!args.ok) return MIG.TYPE_ERROR;
        const port = devicePorts[code];
        if (port === undefined) {
          reply.port(null, MSG_TYPE_PORT_SEND);
          return KERN.INVALID_ARGUMENT;
        }
        port.sendRights++;
        reply.port(port, MSG_TYPE_PORT_SEND);
        return KERN.SUCCESS;
      },
    });
    const devicePorts = this.devicePorts;
    this.masterPort = k.newPort();
    this.masterPort.kobject = new KernelObjectServer(k, 'device', null, master);
    for (const code of [DEVICE.console, DEVICE.disk]) {
      const routines = new Map<number, { replyBytes: number; run: KernelRoutine<number> }>();
      routines.set(MSG_ID.deviceWrite, { replyBytes: 8, run: (unit, args, reply) => this.write(unit, args, reply) });
      routines.set(MSG_ID.deviceRead, { replyBytes: 16, run: (unit, args) => this.read(unit, args) });
      const port = k.newPort();
      port.kobject = new KernelObjectServer(k, 'device', code, routines);
      this.devicePorts[code] = port;
    }
  }

  /** device_write(device, mode, recnum, data): console only; the byte count in the reply. */
  private *write(unit: number, args: Parameters<KernelRoutine<number>>[1], reply: Parameters<KernelRoutine<number>>[2]): Generator<void, number, void> {
    const k = this.k;
    args.int(); // mode
    args.int(); // recnum
    const copy = args.region();
    if (!args.ok || copy === null) return MIG.TYPE_ERROR;
    if (unit !== DEVICE.console) {
      reply.int(0);
      return KERN.INVALID_ARGUMENT;
    }
    k.execute(k.paths.deviceRequest);
    let text = '';
    let pieceStart = 0;
    for (const piece of copy.pieces) {
      for (let page = 0; page < piece.size; page += PAGE_SIZE) {
        const frame = k.findPage(piece.object, (piece.offset + page) / PAGE_SIZE);
        const first = Math.max(copy.pageOffset - (pieceStart + page), 0);
        const last = Math.min(PAGE_SIZE, copy.pageOffset + copy.size - (pieceStart + page));
        for (let i = first; i < last; i++) text += String.fromCharCode(frame < 0 ? 0 : k.machine.memory.read8(frame + i));
        if (frame >= 0 && last > first) k.memory.touch(kernelLinear(frame) + first, last - first);
      }
      pieceStart += piece.size;
    }
    k.cpu.charge(text.length * k.machine.parameters.consoleCharCost, CAT.device);
    k.machine.console.write(text);
    reply.int(text.length);
    return KERN.SUCCESS;
  }

  /** device_read(device, mode, recnum, bytes): starts the DMA, answers from the interrupt. */
  private *read(unit: number, args: Parameters<KernelRoutine<number>>[1]): Generator<void, number, void> {
    const k = this.k;
    args.int(); // mode
    const record = args.int() >>> 0;
    const bytes = args.int() >>> 0;
    if (!args.ok) return MIG.TYPE_ERROR;
    const disk = k.machine.disk;
    const sectors = Math.ceil(bytes / SECTOR_SIZE);
    if (unit !== DEVICE.disk || bytes === 0 || record + sectors > disk.sectors) return KERN.INVALID_ARGUMENT;
    const pages = Math.ceil(bytes / PAGE_SIZE);
    const physical = k.memory.frames.allocateContiguous(pages);
    if (physical < 0) return KERN.RESOURCE_SHORTAGE;
    const replyRight = args.takeReply();
    if (replyRight === null) {
      for (let i = 0; i < pages; i++) k.memory.frames.release(physical + i * PAGE_SIZE);
      return KERN.INVALID_ARGUMENT;
    }
    k.execute(k.paths.deviceRequest);
    k.cpu.charge(4 * k.machine.parameters.isaIoAccess, CAT.device); // program the IDE controller
    const request: IoRequest = { replyPort: replyRight.port, replyType: replyRight.type, physical, pages, bytes };
    disk.submit({ sector: record, count: sectors, write: false, physical, done: () => this.completed.push(request) });
    return MIG.NO_REPLY;
  }

  /** The disk interrupt handler (IRQ 14): completes finished reads with device_read_reply. */
  *diskInterrupt(): Activity {
    const k = this.k;
    const cpu = k.cpu;
    const wasUser = cpu.cpl === 3;
    this.interrupts++;
    k.interruptGate(wasUser, 0x28 + (k.machine.disk.irq - 8));
    k.execute(k.paths.interruptEntry);
    k.scheduler.splChange(true); // raise to the disk's IPL (i386/interrupt.S → set_spl_noi)
    cpu.charge((1 + k.p.eoiWrites) * k.machine.parameters.isaIoAccess, CAT.device); // status read, EOI to both PICs
    k.machine.pic.endOfInterrupt(k.machine.disk.irq);
    for (const request of this.completed.splice(0)) {
      k.execute(k.paths.deviceRequest);
      const object = k.createObject(request.pages * PAGE_SIZE);
      for (let i = 0; i < request.pages; i++) object.pages.set(i, request.physical + i * PAGE_SIZE);
      const copyAddress = k.copyZone.allocate();
      const copy = { address: copyAddress, pieces: [{ object, offset: 0, size: request.pages * PAGE_SIZE }], size: request.bytes, pageOffset: 0 };
      const kmsg = this.writer.begin(request.replyPort, request.replyType, MSG_ID.deviceRead + MIG_REPLY_OFFSET, MSG_HEADER_BYTES + 8 + 16);
      if (kmsg === null) {
        k.deallocateCopy(copy);
        continue;
      }
      this.writer.int(KERN.SUCCESS);
      this.writer.region(copy);
      k.msg.deliver(this.writer.finish());
    }
    k.postInterrupt(k.machine.disk.irq);
    k.scheduler.splChange(true); // back to the interrupted IPL
    const current = k.scheduler.current;
    if (wasUser && current !== null) yield* k.scheduler.checkAst(current);
    k.interruptReturn(wasUser);
  }
}
