import { Readable, Writable } from 'node:stream';
import type Docker from 'dockerode';

export interface LogLine {
  stream: 'stdout' | 'stderr';
  /** Docker's RFC 3339 timestamp, when asked for. */
  time?: string;
  text: string;
}

/** The last lines of one service's log, bounded by count and by bytes so a chatty service cannot grow it. */
export class LogRing {
  private readonly items: LogLine[] = [];
  private head = 0;
  private bytes = 0;

  constructor(
    readonly maxLines = 5000,
    readonly maxBytes = 2 * 1024 * 1024,
  ) {}

  push(line: LogLine): void {
    this.items.push(line);
    this.bytes += line.text.length;
    while (
      this.items.length - this.head > this.maxLines ||
      (this.bytes > this.maxBytes && this.items.length - this.head > 1)
    ) {
      this.bytes -= (this.items[this.head] as LogLine).text.length;
      this.head++;
    }
    // Compact now and then instead of shifting on every push.
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
  }

  lines(): LogLine[] {
    return this.items.slice(this.head);
  }

  get size(): number {
    return this.items.length - this.head;
  }

  get byteSize(): number {
    return this.bytes;
  }
}

function splitTimestamp(raw: string, timestamps: boolean): { time?: string; text: string } {
  if (!timestamps) return { text: raw };
  const space = raw.indexOf(' ');
  return space > 0 ? { time: raw.slice(0, space), text: raw.slice(space + 1) } : { text: raw };
}

/** Collects one stream's bytes into lines and hands each complete line on at once, so order across streams holds. */
class LineSink extends Writable {
  private partial = '';
  constructor(private readonly emitLine: (raw: string) => void) {
    super({ decodeStrings: true });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    const text = this.partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.partial = parts.pop() ?? '';
    for (const part of parts) this.emitLine(part.endsWith('\r') ? part.slice(0, -1) : part);
    callback();
  }
  flushRest(): void {
    if (this.partial) this.emitLine(this.partial);
    this.partial = '';
  }
}

/** Splits Docker's multiplexed log stream (no TTY) into stdout and stderr lines, in the order they were written. */
function demux(
  docker: Docker,
  source: NodeJS.ReadableStream,
  timestamps: boolean,
  onLine: (line: LogLine) => void,
): Promise<void> {
  const sinks = (['stdout', 'stderr'] as const).map(
    (name) => new LineSink((raw) => onLine({ stream: name, ...splitTimestamp(raw, timestamps) })),
  );
  docker.modem.demuxStream(source, sinks[0] as Writable, sinks[1] as Writable);
  return new Promise<void>((resolve) => {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      sinks.forEach((sink) => sink.flushRest());
      resolve();
    };
    source.on('end', end);
    source.on('close', end);
    source.on('error', end);
  });
}

/** The last `tail` lines of a container's log. */
export async function readLogTail(
  docker: Docker,
  containerId: string,
  tail: number,
  timestamps = false,
): Promise<LogLine[]> {
  const buffer = (await docker
    .getContainer(containerId)
    .logs({ stdout: true, stderr: true, tail, timestamps, follow: false })) as unknown as Buffer;
  const lines: LogLine[] = [];
  await demux(docker, Readable.from([buffer]), timestamps, (line) => lines.push(line));
  return lines;
}

/** Follows a container's log from its last `tail` lines until `signal` aborts or the container stops. */
export async function followLog(
  docker: Docker,
  containerId: string,
  options: { tail: number | 'all'; timestamps: boolean; signal?: AbortSignal },
  onLine: (line: LogLine) => void,
): Promise<void> {
  const stream = (await docker.getContainer(containerId).logs({
    stdout: true,
    stderr: true,
    follow: true,
    // Docker takes "all" for the whole log; its type definitions only know numbers.
    tail: options.tail as number,
    timestamps: options.timestamps,
    ...(options.signal ? { abortSignal: options.signal } : {}),
  })) as unknown as NodeJS.ReadableStream & { destroy: () => void };
  options.signal?.addEventListener('abort', () => stream.destroy(), { once: true });
  await demux(docker, stream, options.timestamps, onLine);
}
