/**
 * Following a run on the cluster: each poll reads the Argo Workflow's `status.nodes`, and
 * every task whose phase changed since the last poll gets one line, the way `kfpdsl run`
 * prints progress without a terminal: `[  12.0s] train                Succeeded`.
 */

/** The node types that are a task the user wrote (a pod), or one that did not run. */
const TASK_NODES = new Set(['Pod', 'Skipped', 'Container', 'HTTP', 'Plugin']);
const LABEL_WIDTH = 24;
/** Failures first: they are what the reader looks for. */
const SUMMARY_ORDER = ['Failed', 'Error', 'Succeeded', 'Skipped', 'Omitted', 'Running', 'Pending'];

export interface TaskLine {
  readonly label: string;
  readonly phase: string;
  readonly message?: string | undefined;
}

export class NodeWatch {
  private readonly seen = new Map<string, string>();
  readonly start = Date.now();

  /** The tasks whose phase changed since the last call, in the order they started. */
  changes(workflow: unknown): TaskLine[] {
    const nodes = ((workflow as { status?: { nodes?: unknown } } | undefined)?.status?.nodes ?? {}) as Record<string, unknown>;
    if (typeof nodes !== 'object' || nodes === null) return [];
    const rows = Object.entries(nodes)
      .map(([id, n]) => ({ id, n: (n ?? {}) as Record<string, unknown> }))
      .filter(({ n }) => TASK_NODES.has(String(n['type'])))
      .sort((a, b) => String(a.n['startedAt'] ?? '').localeCompare(String(b.n['startedAt'] ?? '')) || a.id.localeCompare(b.id));
    const out: TaskLine[] = [];
    for (const { id, n } of rows) {
      const phase = typeof n['phase'] === 'string' && n['phase'] ? n['phase'] : 'Pending';
      if (this.seen.get(id) === phase) continue;
      this.seen.set(id, phase);
      const label = String(n['displayName'] ?? n['name'] ?? id);
      const message = typeof n['message'] === 'string' && n['message'] && phase !== 'Succeeded' && phase !== 'Running' ? n['message'] : undefined;
      out.push({ label, phase, message });
    }
    return out;
  }

  format(line: TaskLine): string {
    const elapsed = `${((Date.now() - this.start) / 1000).toFixed(1).padStart(5)}s`;
    return `[${elapsed}] ${line.label.padEnd(LABEL_WIDTH)} ${line.phase}${line.message ? `: ${line.message}` : ''}\n`;
  }

  /** Counts by phase, for the closing line: `3 succeeded, 1 failed`. */
  summary(): string {
    const counts = new Map<string, number>();
    for (const p of this.seen.values()) counts.set(p, (counts.get(p) ?? 0) + 1);
    const rank = (p: string): number => {
      const i = SUMMARY_ORDER.indexOf(p);
      return i < 0 ? SUMMARY_ORDER.length : i;
    };
    return [...counts]
      .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
      .map(([p, n]) => `${n} ${p.toLowerCase()}`)
      .join(', ');
  }
}

/** The phases after which a run or workflow changes no more. */
export const FINAL_PHASES = new Set(['Succeeded', 'Failed', 'Error', 'Skipped', 'Terminated', 'Canceled', 'Cancelled']);
