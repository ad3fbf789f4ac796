/**
 * What a DAG imposes on its children (Argo's "boundary"): its template `parallelism` caps how
 * many of them are active at once, and with `failFast` (the default) no new child starts
 * once one has failed; the running ones finish and the DAG then fails.
 */
import { Limiter } from './limiter.js';
import { failedOrError, type NodePhase } from './types.js';

export class Boundary {
  private readonly limiter: Limiter | undefined;
  private failed = false;

  constructor(
    parallelism: number | undefined,
    private readonly failFast: boolean,
  ) {
    this.limiter = parallelism !== undefined && parallelism > 0 ? new Limiter(parallelism) : undefined;
  }

  /** True once a child failed and failFast forbids starting more. */
  get blocked(): boolean {
    return this.failFast && this.failed;
  }

  /**
   * Takes one of the DAG's slots: undefined when the child must not start (failFast), and
   * rejects with AbortError when `signal` aborts while waiting. `retry` attempts of an
   * already started child are not stopped by failFast.
   */
  async enter(signal: AbortSignal | undefined, retry = false): Promise<(() => void) | undefined> {
    if (!retry && this.blocked) return undefined;
    const release = this.limiter ? await this.limiter.acquire(signal) : () => {};
    if (!retry && this.blocked) {
      release();
      return undefined;
    }
    return release;
  }

  report(phase: NodePhase | 'Running'): void {
    if (failedOrError(phase)) this.failed = true;
  }
}
