/**
 * A task's log with a bounded size on disk and in memory: the first `head` bytes go straight to
 * the file, the last `tail` bytes are kept in memory and appended when the task ends, after a
 * line saying how many bytes in between were dropped. A task that prints gigabytes leaves a
 * log of at most head + tail bytes (plus that line), and kfpdsl holds at most `tail` of it.
 */
import { createWriteStream, type WriteStream } from 'node:fs';

/** 1 MiB each: enough for a traceback at the end and for what the task printed first. */
export const LOG_HEAD_BYTES = 1024 * 1024;
export const LOG_TAIL_BYTES = 1024 * 1024;

/** The last `limit` bytes of a stream, as a list of chunks (no copying on each write). */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes pushed out of the front so far. */
  dropped = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    if (this.limit <= 0) {
      this.dropped += chunk.length;
      return;
    }
    if (chunk.length >= this.limit) {
      this.dropped += this.size + chunk.length - this.limit;
      this.chunks = [chunk.subarray(chunk.length - this.limit)];
      this.size = this.limit;
      return;
    }
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.size > this.limit) {
      const first = this.chunks[0]!;
      const excess = this.size - this.limit;
      if (first.length <= excess) {
        this.chunks.shift();
        this.size -= first.length;
        this.dropped += first.length;
      } else {
        this.chunks[0] = first.subarray(excess);
        this.size -= excess;
        this.dropped += excess;
      }
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks, this.size);
  }
}

export class CappedLog {
  private readonly file: WriteStream;
  private written = 0;
  private readonly tail: TailBuffer;

  constructor(
    path: string,
    private readonly head = LOG_HEAD_BYTES,
    tailBytes = LOG_TAIL_BYTES,
  ) {
    this.file = createWriteStream(path, { mode: 0o600 });
    // A log that cannot be written must not crash the run; the task's outcome still counts.
    this.file.on('error', () => {});
    this.tail = new TailBuffer(tailBytes);
  }

  write(chunk: Buffer | string): void {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (this.written < this.head) {
      const n = Math.min(buf.length, this.head - this.written);
      this.file.write(buf.subarray(0, n));
      this.written += n;
      buf = buf.subarray(n);
    }
    if (buf.length > 0) this.tail.push(buf);
  }

  /** Bytes neither in the head nor in the tail. */
  get dropped(): number {
    return this.tail.dropped;
  }

  /** Writes the tail (after the "dropped" line, if any) and closes the file. */
  end(done: () => void): void {
    if (this.tail.dropped > 0) {
      this.file.write(`\n[kfpdsl: ${this.tail.dropped} bytes of this log were dropped here; the first ${this.head} and the last ${this.tail.bytes().length} bytes are kept]\n`);
    }
    const rest = this.tail.bytes();
    if (rest.length > 0) this.file.write(rest);
    this.file.end(done);
  }
}
