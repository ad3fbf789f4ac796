/**
 * Secret values masked in a stream, as CI systems mask them in logs: every occurrence of a
 * secret's value becomes `<secret:name/key>`, also when it is split across chunks (the last
 * `longest - 1` bytes are held back until the next chunk or the end). Values shorter than
 * MIN_MASKED characters are not masked: masking "1" would garble every log.
 */
export const MIN_MASKED = 4;

interface Needle {
  readonly value: Buffer;
  readonly shown: Buffer;
}

export class Masker {
  private readonly needles: Needle[];
  private readonly hold: number;
  private pending: Buffer = Buffer.alloc(0);

  constructor(secrets: ReadonlyMap<string, string>) {
    // Longest first, so that a secret containing another is masked whole.
    this.needles = [...secrets]
      .filter(([value]) => [...value].length >= MIN_MASKED)
      .map(([value, shown]) => ({ value: Buffer.from(value), shown: Buffer.from(shown) }))
      .sort((a, b) => b.value.length - a.value.length);
    this.hold = Math.max(0, ...this.needles.map((n) => n.value.length - 1));
  }

  get active(): boolean {
    return this.needles.length > 0;
  }

  /** The masked bytes that are safe to write now. */
  push(chunk: Buffer): Buffer {
    if (!this.active) return chunk;
    const { out, rest } = this.replace(Buffer.concat([this.pending, chunk]), false);
    this.pending = rest;
    return out;
  }

  /** What was held back, masked. */
  flush(): Buffer {
    const { out } = this.replace(this.pending, true);
    this.pending = Buffer.alloc(0);
    return out;
  }

  private replace(buf: Buffer, final: boolean): { out: Buffer; rest: Buffer } {
    const parts: Buffer[] = [];
    let pos = 0;
    // Until the end, a match may start only where every needle would fit whole in `buf`: a
    // shorter secret must not be taken for the start of a longer one still arriving.
    const limit = final ? buf.length : buf.length - this.hold;
    for (;;) {
      let best: { at: number; needle: Needle } | undefined;
      for (const needle of this.needles) {
        const at = buf.indexOf(needle.value, pos);
        if (at >= 0 && at < limit && (best === undefined || at < best.at)) best = { at, needle };
      }
      if (best === undefined) break;
      parts.push(buf.subarray(pos, best.at), best.needle.shown);
      pos = best.at + best.needle.value.length;
    }
    const safe = Math.max(pos, limit);
    parts.push(buf.subarray(pos, safe));
    return { out: Buffer.concat(parts), rest: Buffer.from(buf.subarray(safe)) };
  }
}

/** A whole text masked at once (a message, not a stream). */
export function maskText(text: string, secrets: ReadonlyMap<string, string> | undefined): string {
  if (!secrets || secrets.size === 0) return text;
  const m = new Masker(secrets);
  return Buffer.concat([m.push(Buffer.from(text)), m.flush()]).toString('utf8');
}
