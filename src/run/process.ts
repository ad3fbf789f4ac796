/**
 * Runs one step's process: its own process group (so a deadline or an interrupt kills the whole
 * tree), stdout and stderr into the log file (capped: see capped-log.ts), and the tail of stdout
 * kept for `outputs.result`. Memory stays bounded whatever the task prints.
 */
import { spawn } from 'node:child_process';
import { CappedLog, TailBuffer } from './capped-log.js';
import { Masker, maskText } from './mask.js';
import { killTagged } from './strays.js';

export interface ProcessSpec {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
  readonly logPath: string;
  /** Kill after this many milliseconds (template activeDeadlineSeconds). */
  readonly deadlineMs?: number;
  /** Kill when this aborts (the workflow's deadline). */
  readonly signal?: AbortSignal;
  /** Secret values (→ `<secret:name/key>`) masked in the log. */
  readonly mask?: ReadonlyMap<string, string>;
  /** The tag in this process's environment (strays.ts): when it is stopped, what left its group is killed by it. */
  readonly tag?: string;
}

export interface ProcessOutcome {
  readonly exitCode: number | null;
  readonly termSignal: NodeJS.Signals | null;
  /** The process could not be started (e.g. the command does not exist). */
  readonly startError?: string;
  readonly timedOut: boolean;
  readonly aborted: boolean;
  readonly stdout: string;
  /** Log bytes dropped between the kept head and tail. */
  readonly logDropped: number;
}

/** Argo keeps the last 256 kB of stdout as the result. */
const RESULT_LIMIT = 256 * 1024;

export function runProcess(spec: ProcessSpec): Promise<ProcessOutcome> {
  const [command, ...args] = spec.argv;
  return new Promise((resolve) => {
    const log = new CappedLog(spec.logPath);
    const stdout = new TailBuffer(RESULT_LIMIT);
    let timedOut = false;
    let aborted = false;
    let startError: string | undefined;
    let settled = false;
    let grace: NodeJS.Timeout | undefined;
    let exited = false;

    const child = spawn(command ?? '', args, { cwd: spec.cwd, env: spec.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const kill = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // The whole group is gone already.
      }
    };
    const stop = (why: 'deadline' | 'abort'): void => {
      if (exited) return;
      if (why === 'deadline') timedOut = true;
      else aborted = true;
      kill();
      if (spec.tag !== undefined) killTagged(spec.tag);
    };
    const timer = spec.deadlineMs !== undefined ? setTimeout(() => stop('deadline'), spec.deadlineMs) : undefined;
    const onAbort = (): void => stop('abort');
    spec.signal?.addEventListener('abort', onAbort, { once: true });
    if (spec.signal?.aborted) onAbort();

    // One masker per stream: a secret split across two chunks of stdout is still masked.
    const outMask = new Masker(spec.mask ?? new Map());
    const errMask = new Masker(spec.mask ?? new Map());
    child.stdout.on('data', (chunk: Buffer) => {
      log.write(outMask.push(chunk));
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => log.write(errMask.push(chunk)));

    const finish = (exitCode: number | null, termSignal: NodeJS.Signals | null): void => {
      if (settled) return;
      settled = true;
      if (timer) clearTimeout(timer);
      if (grace) clearTimeout(grace);
      spec.signal?.removeEventListener('abort', onAbort);
      const text = stdout.bytes().toString('utf8');
      log.write(outMask.flush());
      log.write(errMask.flush());
      log.end(() =>
        resolve({ exitCode, termSignal, timedOut, aborted, stdout: text, logDropped: log.dropped, ...(startError !== undefined ? { startError } : {}) }),
      );
    };
    child.on('error', (e) => {
      // Node's message names the command (`spawn /path ENOENT`), which may be a secret's value.
      startError = maskText(e.message, spec.mask);
      log.write(`${startError}\n`);
      finish(null, null);
    });
    // When a container's main process exits, the container's other processes die with it.
    // 'close' then follows once stdio drains; a descendant that escaped the group (setsid) and
    // holds the pipes open must not hang the run, hence the grace period.
    child.on('exit', (code, sig) => {
      exited = true;
      kill();
      grace = setTimeout(() => {
        child.stdout.destroy();
        child.stderr.destroy();
        finish(code, sig);
      }, 2000);
    });
    child.on('close', (code, sig) => finish(code, sig));
  });
}
