/**
 * State shared by one run: the workflow's templates and globals, the node list, the pod
 * limiter, the workflow deadline, and event delivery.
 */
import { createHash } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Limiter } from './limiter.js';
import { sanitize } from './naming.js';
import { makeScratchRoot } from './scratch.js';
import { killTagged, newTag } from './strays.js';
import type { Obj } from './spec.js';
import type { Lookup } from './substitute.js';
import type { NodePhase, NodeRecord, NodeResult, NodeType, RunEvent, RunOptions } from './types.js';

/** The longest step directory name: a file name holds 255 bytes, and ids are sanitised to ASCII. */
const MAX_DIR_NAME = 180;

export interface WorkflowInfo {
  /** `metadata.name`, or `generateName` plus five random characters. */
  readonly name: string;
  readonly uid: string;
  readonly namespace: string;
  readonly serviceAccountName: string;
  /** The root node's id: the workflow's stable name (generateName without its dash). */
  readonly rootId: string;
  readonly templates: ReadonlyMap<string, Obj>;
  /** `spec.volumes`, shared by every pod. */
  readonly volumes: readonly Obj[];
  /** Names of `spec.volumeClaimTemplates`, each a volume shared by the whole run. */
  readonly claimTemplates: ReadonlySet<string>;
}

export interface NodeInit {
  id: string;
  name: string;
  displayName: string;
  template: string;
  type: NodeType;
}

export class RunContext {
  readonly nodes: NodeRecord[] = [];
  readonly globals = new Map<string, string>();
  readonly pods: Limiter;
  /**
   * Aborted when `spec.activeDeadlineSeconds` passes or the run is stopped (`argo stop`: running
   * pods are killed, pending ones omitted); exit handlers ignore it and still run.
   */
  readonly deadline = new AbortController();
  /** Aborted when the run is terminated (`argo terminate`): exit handlers are killed too. */
  readonly halt = new AbortController();
  private stopReason: string | undefined;
  private readonly dirs = new Set<string>(['volumes', 'snapshots']);

  constructor(
    readonly opts: RunOptions,
    readonly wf: WorkflowInfo,
    podParallelism: number,
  ) {
    this.pods = new Limiter(podParallelism);
    // Every waiting or running pod listens to the deadline: many listeners are expected.
    setMaxListeners(0, this.deadline.signal, this.halt.signal);
    const reason = (s: AbortSignal): string => (typeof s.reason === 'string' ? s.reason : 'stopped');
    const stop = (s: AbortSignal): void => {
      this.stopReason ??= reason(s);
      this.deadline.abort();
    };
    const terminate = (s: AbortSignal): void => {
      stop(s);
      this.halt.abort();
    };
    if (opts.stop) {
      const s = opts.stop;
      if (s.aborted) stop(s);
      else s.addEventListener('abort', () => stop(s), { once: true });
    }
    if (opts.terminate) {
      const s = opts.terminate;
      if (s.aborted) terminate(s);
      else s.addEventListener('abort', () => terminate(s), { once: true });
    }
  }

  readonly global: Lookup = (key) => this.globals.get(key);

  /** What ends pods when `deadline` aborts: the workflow deadline, or the reason the run was stopped. */
  get stopMessage(): string {
    return this.stopReason ?? 'workflow activeDeadlineSeconds exceeded';
  }

  signal(onExit: boolean): AbortSignal | undefined {
    return onExit ? this.halt.signal : this.deadline.signal;
  }

  private scratchRoot: string | undefined;

  /**
   * A fresh private directory (0700) for one attempt: its TMPDIR and its secret volumes. All of
   * them live in one temporary directory per run, outside the run directory; the attempt removes
   * its own, and the executor removes the rest when the run ends (or, if this process is killed
   * outright, the next run does: scratch.ts).
   */
  attemptScratch(): string {
    this.scratchRoot ??= makeScratchRoot(this.tag);
    try {
      return mkdtempSync(join(this.scratchRoot, 'attempt-'));
    } catch {
      // The run's temporary directory was removed under us (a tmp cleaner): make a new one.
      this.scratchRoot = makeScratchRoot(this.tag);
      return mkdtempSync(join(this.scratchRoot, 'attempt-'));
    }
  }

  /** In every task process's environment (strays.ts): what escaped its process group is found by it when the run ends. */
  readonly tag = newTag();

  /** The run has ended: task processes that escaped their groups are killed, temporaries removed. */
  endRun(): void {
    killTagged(this.tag);
    this.removeScratch();
  }

  private removeScratch(): void {
    if (this.scratchRoot === undefined) return;
    try {
      rmSync(this.scratchRoot, { recursive: true, force: true, maxRetries: 3 });
    } catch {
      // A process that escaped its group still writing there: nothing more to do.
    }
  }

  get runDir(): string {
    return this.opts.runDir;
  }

  /** The host directory behind a PersistentVolumeClaim: one per claim name, shared by the run. */
  volumeDir(claimName: string): string {
    return join(this.runDir, 'volumes', sanitize(claimName));
  }

  /** A fresh, unique directory for a pod's files, named after its node id. */
  stepDir(id: string): string {
    const whole = sanitize(id);
    // A recursive pipeline's node ids grow with each level; a file name holds at most 255 bytes:
    // a long id keeps its start and its end (the task itself), with a digest of the whole between.
    const base = whole.length <= MAX_DIR_NAME ? whole : `${whole.slice(0, 60)}--${createHash('sha256').update(whole).digest('hex').slice(0, 12)}--${whole.slice(-100)}`;
    let name = base;
    for (let n = 2; this.dirs.has(name); n++) name = `${base}-${n}`;
    this.dirs.add(name);
    const dir = join(this.runDir, name);
    mkdirSync(dir, { recursive: true });
    return dir;
  }

  createNode(init: NodeInit): NodeRecord {
    const node: NodeRecord = { ...init, phase: 'Running', outputs: { parameters: {}, artifacts: {} }, startedAt: Date.now() };
    this.nodes.push(node);
    return node;
  }

  /** A node that never ran (Skipped, Omitted) or could not start (Error). */
  settledNode(init: NodeInit, phase: NodePhase, message: string): NodeRecord {
    const node = this.createNode(init);
    this.settle(node, phase, message);
    return node;
  }

  settle(node: NodeRecord, phase: NodePhase, message?: string): void {
    node.phase = phase;
    if (message !== undefined) node.message = message;
    node.finishedAt = Date.now();
    const kind = phase === 'Succeeded' ? 'succeeded' : phase === 'Skipped' || phase === 'Omitted' ? 'skipped' : 'failed';
    const durationMs = node.finishedAt - (node.startedAt ?? node.finishedAt);
    this.emit(node, { kind, phase, durationMs, ...(message !== undefined ? { message } : {}) });
  }

  emit(node: NodeRecord, e: Pick<RunEvent, 'kind'> & Partial<RunEvent>): void {
    const listener = this.opts.onEvent;
    if (!listener) return;
    const event: RunEvent = { id: node.id, name: node.name, displayName: node.displayName, template: node.template, type: node.type, ...e };
    try {
      listener(event);
    } catch {
      // A broken progress listener must not break the run.
    }
  }

  results(): NodeResult[] {
    return this.nodes.map((n) => finalNode(n));
  }
}

/** Every node has settled by the time results are read; a straggler would be our bug, reported as Error. */
export function finalNode(n: NodeRecord): NodeResult {
  if (n.phase !== 'Running') return { ...n, phase: n.phase };
  return { ...n, phase: 'Error', message: n.message ?? 'node did not finish' };
}
