/** The command-line options `upload` and `submit` share: where the server is, and how to log in. */
import { Option, type Command } from 'commander';
import { TARGET_NAMES } from '../backends/index.js';
import type { ConnectOptions } from './connect.js';

export interface ClusterCliOptions extends ConnectOptions {
  host?: string;
  namespace?: string;
  pipeline?: string;
  root?: string;
  json?: boolean;
  /** `--target`; each command has its default (src/cluster/target.ts). */
  target?: string;
}

const repeat = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** `targetHelp`: what `--target` does for this command (its default differs: see src/cluster/target.ts). */
export function clusterOptions(cmd: Command, targetHelp: string): Command {
  return cmd
    .addOption(new Option('--target <target>', targetHelp).choices(TARGET_NAMES))
    .option('--host <url>', 'the KFP API server, e.g. http://localhost:8888 or https://kubeflow.example.com/pipeline (default: $KFPDSL_HOST)')
    .option('--namespace <ns>', 'the Kubernetes namespace (multi-user Kubeflow: your profile namespace)')
    .option('--pipeline <name>', 'which pipeline, when the file defines several')
    .option('--token <token>', 'a Bearer token (prefer $KFPDSL_TOKEN: a flag shows in `ps`); default: $KFPDSL_TOKEN, then the service-account token at $KF_PIPELINES_SA_TOKEN_PATH')
    .option('--cookie <name=value>', "a session cookie of the deployment's auth proxy, e.g. authservice_session=… (repeatable)", repeat)
    .option('--ca-file <file>', "PEM certificate(s) of the CA that signed the server's certificate")
    .option('--insecure-skip-verify', 'do not check the server\'s TLS certificate (testing only)')
    .option('--timeout <seconds>', 'give up on a request after this long without an answer (default: 30)')
    .option('--retries <n>', 'retries of safe (read-only) requests on connection errors, timeouts and 5xx (default: 3)')
    .option('--json', 'print the result as one JSON object on stdout')
    .option('--root <dir>', 'the project root (as for build)');
}
