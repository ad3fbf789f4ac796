/**
 * Everything `upload` and `submit` print goes through here, redacted (see secrets.ts):
 * diagnostics and progress on stderr, results on stdout (`--json`: one JSON object).
 */
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { renderAll } from '../diagnostics/render.js';
import type { Secrets } from './secrets.js';

export class Output {
  constructor(
    private readonly secrets: Secrets,
    readonly json: boolean,
  ) {}

  private readonly colour = Boolean(process.stderr.isTTY) && !process.env['NO_COLOR'];

  diagnostics(ds: readonly Diagnostic[]): void {
    if (ds.length > 0) process.stderr.write(this.secrets.redact(renderAll(ds, 'pretty', this.colour)));
  }

  /** Progress and notes, for people (stderr). */
  note(text: string): void {
    process.stderr.write(this.secrets.redact(text));
  }

  /** A result line for people (stdout), unless --json. */
  result(text: string): void {
    if (!this.json) process.stdout.write(this.secrets.redact(text));
  }

  /** The --json result object. */
  object(value: unknown): void {
    if (this.json) process.stdout.write(this.secrets.redact(`${JSON.stringify(value, null, 2)}\n`));
  }
}
