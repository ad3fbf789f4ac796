// Running `kfpdsl upload` / `submit` as a child process against an in-process contract server
// (spawnSync would block the server's event loop).

import { spawn, type ChildProcess } from 'node:child_process';
import { ensureBundle, repoRoot } from './cli.js';
import { haveShared, sharedDir } from './argo-strict.js';
import { requirement } from './requirements.js';
import { hermeticEnv, kfpdslBin } from './run-cli.js';
import { existsSync } from 'node:fs';
import { afterEach, beforeAll, expect } from 'vitest';
import { loadContracts, type Contract } from './kfp-contract.js';
import { ContractServer, type ServerOptions } from './kfp-contract-server.js';
import { resolve } from 'node:path';

export interface Result {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** The contracts are in ../shared; tests that need them say so when skipped. */
export const contracts = requirement(haveShared && existsSync(resolve(sharedDir, 'schemas', 'kfp-api', 'argo-server.swagger.json')), `${resolve(sharedDir, 'schemas', 'kfp-api')} (the KFP and Argo API contracts) is absent; set KFPDSL_SHARED`);

/** Runs `kfpdsl ...args` with a hermetic environment (no KFPDSL_… variables) plus `env`. */
export function kfpdsl(args: readonly string[], env: Record<string, string | undefined> = {}): Promise<Result> {
  return startKfpdsl(args, env).done;
}

/** The same, as a child process the test can signal while it runs. */
export function startKfpdsl(args: readonly string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<Result>; stderr: () => string } {
  ensureBundle();
  // No projected token from this machine leaks into a test.
  const child = spawn(process.execPath, [kfpdslBin, ...args], { cwd: repoRoot, env: hermeticEnv({ KF_PIPELINES_SA_TOKEN_PATH: undefined, ...env }), stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Result>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kfpdsl ${args.join(' ')} did not exit within 120 s\n${stderr}`));
    }, 120_000);
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolvePromise({ status: status ?? (signal ? -1 : null), stdout, stderr });
    });
  });
  return { child, done, stderr: () => stderr };
}

export const addExample = 'examples/add.kfp';

/**
 * For the enclosing `describe`: loads the contracts once, and after each test fails it if its
 * server saw a request (or gave an answer) that breaks them, then closes that server. Returns
 * how a test starts its server, held to the contracts.
 */
export function contractServerPerTest(): (options?: Omit<ServerOptions, 'contract'>) => Promise<ContractServer> {
  let contract: Contract;
  let server: ContractServer | undefined;
  beforeAll(() => {
    contract = loadContracts();
  });
  afterEach(async () => {
    const started = server;
    server = undefined;
    expect(started, 'the test started no contract server').toBeDefined();
    expect(started!.violations).toEqual([]);
    await started!.close();
  });
  return async (options = {}) => {
    server = await ContractServer.start({ ...options, contract });
    return server;
  };
}
