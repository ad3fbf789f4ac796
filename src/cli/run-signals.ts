/**
 * SIGINT, SIGTERM and SIGHUP during `kfpdsl run`, mapped onto Argo's two ways of ending a
 * workflow early:
 * - the first signal STOPS the run, as `argo stop` does: every running task's process group is
 *   killed, tasks not started yet are omitted, and `finally` (onExit) still runs — what a user
 *   pressing Ctrl-C wants (cleanup such as deleting a volume or a notification still happens);
 * - a second signal (any of the three) TERMINATES it, as `argo terminate` does: `finally` is
 *   killed as well, and kfpdsl ends at once.
 * Either way run.json is written, saying which signal interrupted the run. kfpdsl then exits
 * with 128 + the signal's number (130 for SIGINT), as a shell reports a process it killed.
 */
import { constants } from 'node:os';

export const HANDLED: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export class Interrupts {
  readonly stop = new AbortController();
  readonly terminate = new AbortController();
  /** The first signal received, if any. */
  signal: NodeJS.Signals | undefined;
  private readonly handler = (s: NodeJS.Signals): void => this.receive(s);

  constructor(private readonly say: (text: string) => void) {}

  install(): void {
    for (const s of HANDLED) process.on(s, this.handler);
  }

  uninstall(): void {
    for (const s of HANDLED) process.removeListener(s, this.handler);
  }

  private receive(s: NodeJS.Signals): void {
    if (this.signal === undefined) {
      this.signal = s;
      this.say(`\n${s}: stopping the run as \`argo stop\` does: running tasks are killed, \`finally\` still runs (send it again to skip \`finally\`)\n`);
      this.stop.abort(`interrupted by ${s}`);
      return;
    }
    // A third: something does not end (a task that escaped its process group holds a pipe?). Go now.
    if (this.terminate.signal.aborted) process.exit(this.exitCode());
    this.say(`${s}: terminating the run as \`argo terminate\` does: \`finally\` is killed too\n`);
    this.terminate.abort(`interrupted by ${this.signal}`);
  }

  /** 128 + the signal's number, for the process exit code. */
  exitCode(): number | undefined {
    return this.signal === undefined ? undefined : 128 + (constants.signals[this.signal] ?? 0);
  }
}
