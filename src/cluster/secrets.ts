/**
 * Tokens and cookies never reach the screen: every text a cluster command prints passes
 * through `redact`, which replaces each secret it knows (and its URL-encoded form) with `***`.
 * A server that echoes the Authorization header in an error message is redacted too.
 */
export class Secrets {
  private readonly values: string[] = [];

  add(value: string | undefined): void {
    if (value === undefined || value.length < 4) return;
    for (const v of [value, encodeURIComponent(value)]) if (!this.values.includes(v)) this.values.push(v);
    // Longest first, so a secret that contains another is replaced whole.
    this.values.sort((a, b) => b.length - a.length);
  }

  redact(text: string): string {
    let out = text;
    for (const v of this.values) out = out.split(v).join('***');
    return out;
  }
}
