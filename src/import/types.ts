/** Shared shapes of `kfpdsl import`: the warnings it collects and the kfp component spec it reads. */

/** Something of the YAML that has no `.kfp` form: kept as a comment and reported with its path. */
export interface ImportWarning {
  /** Where in the YAML, as a path: `spec.templates[3].container.volumeMounts`. */
  readonly path: string;
  readonly message: string;
  /** What to do about it, where there is more to say than "translate it by hand". */
  readonly hint?: string;
}

export class Warnings {
  readonly list: ImportWarning[] = [];
  /** Records the warning and returns the comment to put in the output at that place. */
  add(path: string, message: string, hint?: string): string {
    this.list.push({ path, message, ...(hint !== undefined ? { hint } : {}) });
    return `${message} (at ${path})`;
  }
}

export interface SpecIO {
  name: string;
  type?: unknown;
  default?: unknown;
  optional?: boolean;
  description?: string;
}

export interface ComponentSpec {
  name?: string;
  description?: string;
  inputs?: SpecIO[];
  outputs?: SpecIO[];
  metadata?: unknown;
  implementation?: {
    container?: {
      image?: string;
      command?: unknown[];
      args?: unknown[];
      env?: Record<string, unknown>;
      fileOutputs?: Record<string, string>;
    };
    graph?: unknown;
  };
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
