/**
 * Named trace points (after Pistachio's TRACEPOINT): off by default and cheap when off — a hot
 * path writes `if (point.enabled) point.emit(...)`. Records carry the cycle stamp and go into
 * one bounded ring buffer owned by the {@link TraceBuffer}.
 */
export interface TraceRecord {
  readonly time: number;
  readonly point: string;
  readonly fields: Readonly<Record<string, number | string | boolean>>;
}

export class TracePoint {
  enabled = false;
  constructor(readonly name: string, readonly description: string, private readonly buffer: TraceBuffer) {}

  emit(time: number, fields: Record<string, number | string | boolean>): void {
    if (this.enabled) this.buffer.record({ time, point: this.name, fields });
  }
}

export class TraceBuffer {
  private readonly points = new Map<string, TracePoint>();
  private records: TraceRecord[] = [];
  private start = 0;

  constructor(readonly capacity = 65536) {}

  point(name: string, description: string): TracePoint {
    const existing = this.points.get(name);
    if (existing) return existing;
    const point = new TracePoint(name, description, this);
    this.points.set(name, point);
    return point;
  }

  /** Enables every point whose name starts with one of the prefixes (`'*'` enables all). */
  enable(...prefixes: string[]): void {
    for (const point of this.points.values()) {
      if (prefixes.some((prefix) => prefix === '*' || point.name.startsWith(prefix))) point.enabled = true;
    }
  }

  disableAll(): void {
    for (const point of this.points.values()) point.enabled = false;
  }

  record(record: TraceRecord): void {
    if (this.records.length < this.capacity) {
      this.records.push(record);
    } else {
      this.records[this.start] = record;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  /** Records in time order (oldest first). */
  drain(): TraceRecord[] {
    const out = this.records.slice(this.start).concat(this.records.slice(0, this.start));
    this.records = [];
    this.start = 0;
    return out;
  }

  list(): Array<{ name: string; description: string; enabled: boolean }> {
    return [...this.points.values()].map(({ name, description, enabled }) => ({ name, description, enabled }));
  }
}
