// A loopback KFP API server and Argo Server for tests of `kfpdsl upload` and `submit`, held to
// the official Swagger contracts (test/support/kfp-contract.ts): every request is checked
// against its operation (method, path, declared query parameters and their types, the JSON
// body's schema, multipart parts, the Bearer header's form) and every answer the server gives
// is itself checked against the operation's response schema. Anything off is recorded in
// `violations`; tests assert it stays empty. State (pipelines, versions, experiments, runs,
// workflows) lives in memory; a run advances one step per poll and ends as `script` says.

import { randomBytes } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import YAML from 'yaml';
import { Contract, type Operation } from './kfp-contract.js';

export interface Credentials {
  /** The Bearer token the server accepts. */
  readonly token?: string;
  /** A cookie `name=value` the server accepts (an auth proxy's session). */
  readonly cookie?: string;
}

export interface Fault {
  /** The operationId it applies to, e.g. `UploadPipeline`, `RunService_GetRunV1`. */
  readonly op: string;
  /** Answer with this status (and a contract-shaped error body). */
  readonly status?: number;
  /** Close the connection without answering. */
  readonly drop?: boolean;
  /** Wait this long before handling (a slow server). */
  readonly delayMs?: number;
  /** How many requests it applies to (default 1). */
  times?: number;
}

export interface Logged {
  readonly method: string;
  readonly path: string;
  readonly op: string;
  readonly query: Record<string, string>;
  readonly authorization?: string | undefined;
  readonly cookie?: string | undefined;
  readonly body?: unknown;
  /** For multipart uploads: the uploaded file's name and text. */
  readonly file?: { name: string; text: string };
}

export interface ServerOptions {
  readonly contract: Contract;
  readonly credentials?: Credentials;
  readonly tls?: { key: string; cert: string };
  readonly maxUploadBytes?: number;
}

interface Run {
  id: string;
  name: string;
  workflow: Record<string, unknown>;
  polls: number;
  experimentId: string;
  createdAt: string;
  parameters: { name: string; value: string }[];
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const GRPC_CODE: Record<number, number> = { 400: 3, 401: 16, 403: 7, 404: 5, 409: 6, 413: 8, 500: 13, 503: 14 };
const now = (): string => new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const newId = (): string => `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(6).toString('hex')}`;

export class ContractServer {
  readonly violations: string[] = [];
  readonly requests: Logged[] = [];
  readonly faults: Fault[] = [];
  readonly pipelines: { id: string; name: string; namespace?: string | undefined; description?: string | undefined; createdAt: string; versions: { id: string; name: string; text: string; createdAt: string }[] }[] = [];
  readonly experiments: { id: string; name: string; namespace?: string | undefined; createdAt: string }[] = [];
  readonly runs: Run[] = [];
  readonly runsV2: { id: string; name: string; spec: Record<string, any>; polls: number; experimentId: string; createdAt: string; parameters: Record<string, unknown> }[] = [];
  readonly workflows: { namespace: string; name: string; workflow: Record<string, unknown>; polls: number }[] = [];
  /** How runs end: the display name of a task that fails, or none (all succeed). */
  failTask: string | undefined;
  private server!: http.Server;
  private readonly sockets = new Set<Socket>();
  url = '';

  private constructor(private readonly o: ServerOptions) {}

  static async start(o: ServerOptions): Promise<ContractServer> {
    const s = new ContractServer(o);
    const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => void s.handle(req, res);
    s.server = o.tls ? https.createServer({ key: o.tls.key, cert: o.tls.cert }, handler) : http.createServer(handler);
    s.server.on('connection', (sock: Socket) => {
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    s.server.on('secureConnection', (sock: Socket) => {
      s.sockets.add(sock);
      sock.on('close', () => s.sockets.delete(sock));
    });
    await new Promise<void>((r) => s.server.listen(0, '127.0.0.1', r));
    s.url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${(s.server.address() as AddressInfo).port}`;
    return s;
  }

  async close(): Promise<void> {
    for (const sock of this.sockets) sock.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  /** The requests made to one operation. */
  calls(op: string): Logged[] {
    return this.requests.filter((r) => r.op === op);
  }

  private fault(op: string): Fault | undefined {
    const f = this.faults.find((x) => x.op === op && (x.times ?? 1) > 0);
    if (f) f.times = (f.times ?? 1) - 1;
    return f;
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://x');
    const api = url.pathname.startsWith('/apis/v2beta1/') ? 'kfp-v2' : url.pathname.includes('/apis/') ? 'kfp-v1' : 'argo';
    const method = req.method ?? 'GET';
    const found = this.o.contract.find(api, method, url.pathname);
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);
    if (!found) {
      this.violations.push(`${method} ${url.pathname}: no such operation in the ${api} contract`);
      this.send(res, undefined, 404, { code: 5, message: 'Not Found' });
      return;
    }
    const { op, params } = found;
    const query = Object.fromEntries(url.searchParams);
    const logged: { -readonly [K in keyof Logged]: Logged[K] } = {
      method,
      path: url.pathname,
      op: op.operationId,
      query,
      authorization: req.headers.authorization,
      cookie: req.headers.cookie,
    };
    this.requests.push(logged);
    const v = (m: string): void => void this.violations.push(`${op.operationId}: ${m}`);

    // The request against the contract.
    const auth = req.headers.authorization;
    if (auth !== undefined && !/^Bearer [^\s]+$/.test(auth)) v(`Authorization is not "Bearer <token>"`);
    for (const key of Object.keys(query)) {
      const p = op.parameters.find((x) => x.in === 'query' && x.name === key);
      if (!p) v(`query parameter \`${key}\` is not declared`);
      else if (p.type === 'integer' && !/^-?\d+$/.test(query[key]!)) v(`query parameter \`${key}\` is not an integer`);
      else if (p.type === 'boolean' && !/^(true|false)$/.test(query[key]!)) v(`query parameter \`${key}\` is not a boolean`);
      else if (p.enum && !p.enum.includes(query[key]!)) v(`query parameter \`${key}\` is not one of ${p.enum.join(', ')}`);
    }
    for (const p of op.parameters) if (p.required && p.in === 'query' && !(p.name in query)) v(`required query parameter \`${p.name}\` is missing`);
    if (query['filter'] !== undefined && api !== 'argo') {
      try {
        for (const e of this.o.contract.errors(Contract.ref(api, api === 'kfp-v1' ? 'apiFilter' : 'v2beta1Filter'), JSON.parse(query['filter']))) v(`filter: ${e}`);
      } catch {
        v('filter is not JSON');
      }
    }
    const contentType = req.headers['content-type'] ?? '';
    let body: unknown;
    const bodyParam = op.parameters.find((p) => p.in === 'body');
    const formParams = op.parameters.filter((p) => p.in === 'formData');
    if (bodyParam) {
      if (!op.consumes.some((c) => contentType.startsWith(c))) v(`Content-Type ${contentType || '(none)'} is not ${op.consumes.join(' or ')}`);
      try {
        body = JSON.parse(raw.toString('utf8'));
        for (const e of this.o.contract.errors(bodyParam.schema!, body)) v(`body: ${e}`);
      } catch {
        v('the body is not JSON');
      }
      logged.body = body;
    } else if (formParams.length > 0) {
      if (!contentType.startsWith('multipart/form-data')) v(`Content-Type ${contentType || '(none)'} is not multipart/form-data`);
      else {
        try {
          const form = await new Request('http://x/', { method: 'POST', headers: { 'content-type': contentType }, body: raw }).formData();
          for (const key of form.keys()) if (!formParams.some((p) => p.name === key)) v(`form field \`${key}\` is not declared`);
          for (const p of formParams) {
            const value = form.get(p.name);
            if (p.required && value === null) v(`form field \`${p.name}\` is missing`);
            if (p.type === 'file' && value !== null && typeof value === 'string') v(`form field \`${p.name}\` is not a file`);
            if (p.type === 'file' && value !== null && typeof value !== 'string') logged.file = { name: value.name, text: await value.text() };
          }
        } catch (e) {
          v(`the multipart body cannot be parsed: ${String(e)}`);
        }
      }
    } else if (raw.length > 0) v('a body where the operation takes none');

    // Faults and auth, as a deployment would have them.
    const fault = this.fault(op.operationId);
    if (fault?.delayMs) await new Promise((r) => setTimeout(r, fault.delayMs));
    if (fault?.drop) {
      req.socket.destroy();
      return;
    }
    if (res.destroyed || req.socket.destroyed) return;
    try {
      if (fault?.status) throw new HttpError(fault.status, `injected failure ${fault.status}`);
      this.authorize(req);
      const answer = this.answer(op, params, query, body, logged.file, raw.length);
      this.send(res, op, 200, answer);
    } catch (e) {
      if (!(e instanceof HttpError)) throw e;
      this.send(res, op, e.status, this.errorBody(op, e));
    }
  }

  private authorize(req: http.IncomingMessage): void {
    const c = this.o.credentials;
    if (!c) return;
    const bearer = req.headers.authorization;
    const cookies = (req.headers.cookie ?? '').split(/;\s*/);
    if (c.token !== undefined && bearer === `Bearer ${c.token}`) return;
    if (c.cookie !== undefined && cookies.includes(c.cookie)) return;
    // Like some proxies, echo what was received: the client must not print it.
    if (bearer !== undefined || req.headers.cookie !== undefined) throw new HttpError(403, `access denied for ${bearer ?? ''} ${req.headers.cookie ?? ''}`.trim());
    throw new HttpError(401, 'Unauthenticated: no credentials');
  }

  private errorBody(op: Operation, e: HttpError): Record<string, unknown> {
    const ref = String(op.responses['default']?.schema?.['$ref'] ?? '');
    const code = GRPC_CODE[e.status] ?? 2;
    if (ref.endsWith('/apiStatus')) return { error: e.message, code, details: [] };
    if (ref.endsWith('grpc.gateway.runtime.Error')) return { error: e.message, code, message: e.message };
    return { code, message: e.message, details: [] };
  }

  private send(res: http.ServerResponse, op: Operation | undefined, status: number, body: unknown): void {
    if (op) {
      const schema = (op.responses[String(status)] ?? op.responses['default'])?.schema;
      if (!schema) this.violations.push(`${op.operationId}: the server answered ${status}, which the contract does not describe`);
      else for (const e of this.o.contract.errors(schema, body)) this.violations.push(`${op.operationId}: server's own ${status} answer: ${e}`);
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  // -------------------------------------------------------------------------------------------
  // The operations kfpdsl uses, with the semantics of the real servers.

  private answer(op: Operation, params: Record<string, string>, query: Record<string, string>, body: unknown, file: { name: string; text: string } | undefined, size: number): unknown {
    if (op.api === 'kfp-v2') return this.answerV2(op, params, query, body, file, size);
    const nsOf = (): string | undefined => (query['resource_reference_key.type'] === 'NAMESPACE' ? query['resource_reference_key.id'] : undefined);
    const nameIn = (): string | undefined => {
      const f = query['filter'] ? (JSON.parse(query['filter']) as { predicates?: { key?: string; op?: string; string_value?: string }[] }) : undefined;
      return f?.predicates?.find((p) => p.key === 'name' && p.op === 'EQUALS')?.string_value;
    };
    switch (op.operationId) {
      case 'HealthzService_GetHealthz':
        return { multi_user: false };
      case 'PipelineService_ListPipelinesV1': {
        const name = nameIn();
        const hits = this.pipelines.filter((p) => (name === undefined || p.name === name) && p.namespace === nsOf());
        return { pipelines: hits.map((p) => this.pipelineJson(p)), total_size: hits.length };
      }
      case 'UploadPipeline':
      case 'UploadPipelineVersion': {
        if (size > (this.o.maxUploadBytes ?? 32 * 2 ** 20)) throw new HttpError(413, 'request body too large');
        if (!file) throw new HttpError(400, 'no uploadfile');
        if (!/\.(ya?ml|zip|tar\.gz|tgz)$/.test(file.name)) throw new HttpError(400, `unexpected file name ${file.name}`);
        const wf = YAML.parse(file.text) as { kind?: string } | null;
        if (wf?.kind !== 'Workflow') throw new HttpError(400, 'the uploaded file is not an Argo Workflow');
        if (op.operationId === 'UploadPipeline') {
          const name = query['name'] ?? file.name;
          if (this.pipelines.some((p) => p.name === name && p.namespace === query['namespace'])) throw new HttpError(409, `pipeline ${name} already exists`);
          const p = { id: newId(), name, namespace: query['namespace'], description: query['description'], createdAt: now(), versions: [{ id: '', name, text: file.text, createdAt: now() }] };
          p.versions[0]!.id = newId();
          this.pipelines.push(p);
          return this.pipelineJson(p);
        }
        const p = this.pipelines.find((x) => x.id === query['pipelineid']);
        if (!p) throw new HttpError(404, `pipeline ${query['pipelineid'] ?? '(none)'} not found`);
        const name = query['name'] ?? file.name;
        if (p.versions.some((x) => x.name === name)) throw new HttpError(409, `version ${name} already exists`);
        const version = { id: newId(), name, text: file.text, createdAt: now() };
        p.versions.push(version);
        return this.versionJson(p, version);
      }
      case 'ExperimentService_ListExperimentsV1': {
        const name = nameIn();
        const hits = this.experiments.filter((e) => (name === undefined || e.name === name) && e.namespace === nsOf());
        return { experiments: hits.map((e) => this.experimentJson(e)), total_size: hits.length };
      }
      case 'ExperimentService_CreateExperimentV1': {
        const b = body as { name?: string; resource_references?: { key?: { type?: string; id?: string } }[] };
        if (!b.name) throw new HttpError(400, 'experiment name is empty');
        const namespace = b.resource_references?.find((r) => r.key?.type === 'NAMESPACE')?.key?.id;
        if (this.experiments.some((e) => e.name === b.name && e.namespace === namespace)) throw new HttpError(409, `experiment ${b.name} already exists`);
        const e = { id: newId(), name: b.name, namespace, createdAt: now() };
        this.experiments.push(e);
        return this.experimentJson(e);
      }
      case 'RunService_CreateRunV1': {
        const b = body as { name?: string; pipeline_spec?: { workflow_manifest?: string; parameters?: { name: string; value: string }[] }; resource_references?: { key?: { type?: string; id?: string }; relationship?: string }[] };
        if (!b.name) throw new HttpError(400, 'run name is empty');
        let wf: Record<string, unknown>;
        try {
          wf = JSON.parse(b.pipeline_spec?.workflow_manifest ?? '') as Record<string, unknown>;
        } catch {
          throw new HttpError(400, 'workflow_manifest is not JSON');
        }
        if (wf['kind'] !== 'Workflow') throw new HttpError(400, 'workflow_manifest is not a Workflow');
        for (const e of this.o.contract.errors(Contract.ref('argo', 'io.argoproj.workflow.v1alpha1.Workflow'), wf)) this.violations.push(`RunService_CreateRunV1: workflow_manifest: ${e}`);
        const declared = ((wf['spec'] as { arguments?: { parameters?: { name: string }[] } }).arguments?.parameters ?? []).map((p) => p.name);
        for (const p of b.pipeline_spec?.parameters ?? []) if (!declared.includes(p.name)) throw new HttpError(400, `unknown parameter ${p.name}`);
        const expRef = b.resource_references?.find((r) => r.key?.type === 'EXPERIMENT');
        if (!expRef || expRef.relationship !== 'OWNER') throw new HttpError(400, 'a run needs an OWNER EXPERIMENT reference');
        if (!this.experiments.some((e) => e.id === expRef.key?.id)) throw new HttpError(404, `experiment ${expRef.key?.id} not found`);
        const run: Run = { id: newId(), name: b.name, workflow: wf, polls: 0, experimentId: expRef.key!.id!, createdAt: now(), parameters: b.pipeline_spec?.parameters ?? [] };
        this.runs.push(run);
        return { run: this.runJson(run, ''), pipeline_runtime: {} };
      }
      case 'RunService_GetRunV1': {
        const run = this.runs.find((r) => r.id === params['run_id']);
        if (!run) throw new HttpError(404, `run ${params['run_id']} not found`);
        run.polls++;
        const { phase, workflow } = this.progress(run.workflow, run.polls, `run-${run.id.slice(0, 8)}`);
        return { run: this.runJson(run, phase), pipeline_runtime: { workflow_manifest: JSON.stringify(workflow) } };
      }
      case 'WorkflowService_CreateWorkflow': {
        const b = body as { namespace?: string; workflow?: Record<string, unknown> };
        if (!b.workflow) throw new HttpError(400, 'no workflow');
        if (b.namespace !== undefined && b.namespace !== params['namespace']) throw new HttpError(400, 'namespace in the body differs from the path');
        if (params['namespace'] === 'missing') throw new HttpError(404, 'namespaces "missing" not found');
        const meta = { ...((b.workflow['metadata'] ?? {}) as Record<string, unknown>) };
        const name = typeof meta['name'] === 'string' ? meta['name'] : `${String(meta['generateName'] ?? 'wf-')}${randomBytes(3).toString('hex').slice(0, 5)}`;
        if (this.workflows.some((w) => w.name === name && w.namespace === params['namespace'])) throw new HttpError(409, `workflows.argoproj.io "${name}" already exists`);
        delete meta['generateName'];
        const wf = { ...b.workflow, metadata: { ...meta, name, namespace: params['namespace'], uid: newId(), creationTimestamp: now() } };
        this.workflows.push({ namespace: params['namespace']!, name, workflow: wf, polls: 0 });
        return wf;
      }
      case 'WorkflowService_LintWorkflow': {
        const b = body as { workflow?: { spec?: { entrypoint?: string; templates?: { name: string }[] } } };
        const spec = b.workflow?.spec;
        if (!spec?.templates?.some((t) => t.name === spec.entrypoint)) throw new HttpError(400, `spec.entrypoint template ${spec?.entrypoint ?? '(none)'} not found`);
        return b.workflow;
      }
      case 'WorkflowService_GetWorkflow': {
        const w = this.workflows.find((x) => x.name === params['name'] && x.namespace === params['namespace']);
        if (!w) throw new HttpError(404, `workflows.argoproj.io "${params['name']}" not found`);
        w.polls++;
        return this.progress(w.workflow, w.polls, w.name).workflow;
      }
      default:
        throw new HttpError(501, `${op.operationId} is not simulated`);
    }
  }

  /**
   * KFP v2beta1, as its API server behaves: uploads must be a pipeline spec (its first YAML
   * document has `pipelineInfo`, `root` and `schemaVersion: 2.1.0`); a pipeline is found by
   * `name`, an experiment by `display_name` (the `filter` predicate); a run carries the spec
   * (or `{pipeline_spec, platform_spec}`), and its arguments must be declared parameters of
   * `root.inputDefinitions`, typed as declared. A run advances one step per GetRun, its
   * `run_details.task_details` listing the root DAG's tasks (`failTask` fails).
   */
  private answerV2(op: Operation, params: Record<string, string>, query: Record<string, string>, body: unknown, file: { name: string; text: string } | undefined, size: number): unknown {
    const predicate = (key: string): string | undefined => {
      const f = query['filter'] ? (JSON.parse(query['filter']) as { predicates?: { key?: string; operation?: string; string_value?: string }[] }) : undefined;
      return f?.predicates?.find((p) => p.key === key && p.operation === 'EQUALS')?.string_value;
    };
    const checkSpec = (spec: unknown, what: string): Record<string, any> => {
      const s = spec as Record<string, any> | null;
      if (!s || typeof s !== 'object' || !s['pipelineInfo'] || !s['root'] || s['schemaVersion'] !== '2.1.0') throw new HttpError(400, `${what} is not a KFP v2 pipeline spec`);
      return s;
    };
    switch (op.operationId) {
      case 'HealthzService_GetHealthz':
        return { multi_user: false };
      case 'PipelineService_ListPipelines': {
        const name = predicate('name');
        const hits = this.pipelines.filter((p) => (name === undefined || p.name === name) && p.namespace === query['namespace']);
        return { pipelines: hits.map((p) => this.pipelineJsonV2(p)), total_size: hits.length };
      }
      case 'UploadPipeline':
      case 'UploadPipelineVersion': {
        if (size > (this.o.maxUploadBytes ?? 32 * 2 ** 20)) throw new HttpError(413, 'request body too large');
        if (!file) throw new HttpError(400, 'no uploadfile');
        if (!/\.(ya?ml|zip|tar\.gz|tgz)$/.test(file.name)) throw new HttpError(400, `unexpected file name ${file.name}`);
        checkSpec(YAML.parseAllDocuments(file.text)[0]?.toJS(), 'the uploaded file');
        if (op.operationId === 'UploadPipeline') {
          const name = query['name'] ?? query['display_name'] ?? file.name;
          if (this.pipelines.some((p) => p.name === name && p.namespace === query['namespace'])) throw new HttpError(409, `pipeline ${name} already exists`);
          const p = { id: newId(), name, namespace: query['namespace'], description: query['description'], createdAt: now(), versions: [{ id: newId(), name, text: file.text, createdAt: now() }] };
          this.pipelines.push(p);
          return this.pipelineJsonV2(p);
        }
        const p = this.pipelines.find((x) => x.id === query['pipelineid']);
        if (!p) throw new HttpError(404, `pipeline ${query['pipelineid'] ?? '(none)'} not found`);
        const name = query['name'] ?? file.name;
        if (p.versions.some((x) => x.name === name)) throw new HttpError(409, `version ${name} already exists`);
        const version = { id: newId(), name, text: file.text, createdAt: now() };
        p.versions.push(version);
        return { pipeline_id: p.id, pipeline_version_id: version.id, name, display_name: query['display_name'] ?? name, created_at: version.createdAt };
      }
      case 'ExperimentService_ListExperiments': {
        const name = predicate('display_name');
        const hits = this.experiments.filter((e) => (name === undefined || e.name === name) && e.namespace === query['namespace']);
        return { experiments: hits.map((e) => this.experimentJsonV2(e)), total_size: hits.length };
      }
      case 'ExperimentService_CreateExperiment': {
        const b = body as { display_name?: string; namespace?: string };
        if (!b.display_name) throw new HttpError(400, 'experiment display_name is empty');
        if (this.experiments.some((e) => e.name === b.display_name && e.namespace === b.namespace)) throw new HttpError(409, `experiment ${b.display_name} already exists`);
        const e = { id: newId(), name: b.display_name, namespace: b.namespace, createdAt: now() };
        this.experiments.push(e);
        return this.experimentJsonV2(e);
      }
      case 'RunService_CreateRun': {
        const b = body as { display_name?: string; experiment_id?: string; pipeline_spec?: Record<string, unknown>; runtime_config?: { parameters?: Record<string, unknown> }; service_account?: string };
        if (!b.display_name) throw new HttpError(400, 'run display_name is empty');
        const wrapped = b.pipeline_spec && 'pipeline_spec' in b.pipeline_spec;
        const spec = checkSpec(wrapped ? b.pipeline_spec!['pipeline_spec'] : b.pipeline_spec, 'pipeline_spec');
        if (wrapped && !(b.pipeline_spec!['platform_spec'] as { platforms?: unknown } | undefined)?.platforms) throw new HttpError(400, 'platform_spec has no platforms');
        const declared = (spec['root']['inputDefinitions']?.['parameters'] ?? {}) as Record<string, { parameterType: string }>;
        for (const [name, value] of Object.entries(b.runtime_config?.parameters ?? {})) {
          const d = declared[name];
          if (!d) throw new HttpError(400, `unknown parameter ${name}`);
          const ok: Record<string, (v: unknown) => boolean> = {
            STRING: (v) => typeof v === 'string',
            NUMBER_INTEGER: (v) => Number.isInteger(v),
            NUMBER_DOUBLE: (v) => typeof v === 'number',
            BOOLEAN: (v) => typeof v === 'boolean',
            LIST: (v) => Array.isArray(v),
            STRUCT: (v) => v !== null && typeof v === 'object' && !Array.isArray(v),
          };
          if (!(ok[d.parameterType] ?? (() => true))(value)) throw new HttpError(400, `parameter ${name}: ${JSON.stringify(value)} is not a ${d.parameterType}`);
        }
        if (!this.experiments.some((e) => e.id === b.experiment_id)) throw new HttpError(404, `experiment ${b.experiment_id ?? '(none)'} not found`);
        const run = { id: newId(), name: b.display_name, spec, polls: 0, experimentId: b.experiment_id!, createdAt: now(), parameters: b.runtime_config?.parameters ?? {} };
        this.runsV2.push(run);
        return this.runJsonV2(run);
      }
      case 'RunService_GetRun': {
        const run = this.runsV2.find((r) => r.id === params['run_id']);
        if (!run) throw new HttpError(404, `run ${params['run_id']} not found`);
        run.polls++;
        return this.runJsonV2(run);
      }
      default:
        throw new HttpError(501, `${op.operationId} is not simulated`);
    }
  }

  private runJsonV2(r: ContractServer['runsV2'][number]): Record<string, unknown> {
    const tasks = Object.keys((r.spec['root']['dag']?.['tasks'] ?? {}) as Record<string, unknown>).sort();
    const done = r.polls >= 2;
    const failed = done && this.failTask !== undefined && tasks.includes(this.failTask);
    const state = r.polls === 0 ? 'PENDING' : !done ? 'RUNNING' : failed ? 'FAILED' : 'SUCCEEDED';
    const t0 = '2026-01-01T00:00:00Z';
    const details = tasks.map((t, i) => {
      const s = !done ? 'RUNNING' : t === this.failTask ? 'FAILED' : 'SUCCEEDED';
      return { run_id: r.id, task_id: `task-${i}`, display_name: t, create_time: t0, start_time: t0, state: s, ...(s === 'FAILED' ? { error: { code: 2, message: 'Error (exit code 1)', details: [] } } : {}) };
    });
    return {
      run_id: r.id,
      display_name: r.name,
      experiment_id: r.experimentId,
      storage_state: 'AVAILABLE',
      runtime_config: { parameters: r.parameters },
      created_at: r.createdAt,
      state,
      ...(failed ? { error: { code: 2, message: `task ${this.failTask} failed`, details: [] } } : {}),
      ...(r.polls > 0 ? { run_details: { task_details: [{ run_id: r.id, task_id: 'root', display_name: r.name, state, child_tasks: details.map((d) => ({ task_id: d.task_id })) }, ...details] } } : {}),
    };
  }

  private pipelineJsonV2(p: ContractServer['pipelines'][number]): Record<string, unknown> {
    return { pipeline_id: p.id, name: p.name, display_name: p.name, created_at: p.createdAt, ...(p.description ? { description: p.description } : {}), ...(p.namespace ? { namespace: p.namespace } : {}) };
  }

  private experimentJsonV2(e: ContractServer['experiments'][number]): Record<string, unknown> {
    return { experiment_id: e.id, display_name: e.name, created_at: e.createdAt, storage_state: 'AVAILABLE', ...(e.namespace ? { namespace: e.namespace } : {}) };
  }

  /**
   * The workflow as it runs: at poll 1 every task of the entrypoint's DAG is Running, from
   * poll 2 on they are done (`failTask` Failed, the rest Succeeded), with Argo's node shape.
   */
  private progress(workflow: Record<string, unknown>, polls: number, name: string): { phase: string; workflow: Record<string, unknown> } {
    const spec = workflow['spec'] as { entrypoint?: string; templates?: { name: string; dag?: { tasks?: { name: string }[] } }[] };
    const entry = spec.templates?.find((t) => t.name === spec.entrypoint);
    const tasks = entry?.dag?.tasks?.map((t) => t.name) ?? [];
    const done = polls >= 2;
    const failed = done && this.failTask !== undefined && tasks.includes(this.failTask);
    const phase = !done ? 'Running' : failed ? 'Failed' : 'Succeeded';
    const t0 = '2026-01-01T00:00:00Z';
    const nodes: Record<string, unknown> = {
      [name]: { id: name, name, displayName: name, type: 'DAG', phase, startedAt: t0, ...(done ? { finishedAt: t0 } : {}), children: tasks.map((t) => `${name}-${t}`) },
    };
    for (const t of tasks) {
      const p = !done ? 'Running' : t === this.failTask ? 'Failed' : 'Succeeded';
      nodes[`${name}-${t}`] = {
        id: `${name}-${t}`,
        name: `${name}.${t}`,
        displayName: t,
        type: 'Pod',
        templateName: t,
        phase: p,
        startedAt: t0,
        ...(done ? { finishedAt: t0 } : {}),
        ...(p === 'Failed' ? { message: 'Error (exit code 1)' } : {}),
      };
    }
    const status = { phase, startedAt: t0, ...(done ? { finishedAt: t0 } : {}), ...(failed ? { message: `child '${name}-${this.failTask}' failed` } : {}), nodes };
    return { phase, workflow: { ...workflow, status } };
  }

  private pipelineJson(p: ContractServer['pipelines'][number]): Record<string, unknown> {
    const v = p.versions[p.versions.length - 1]!;
    return {
      id: p.id,
      name: p.name,
      created_at: p.createdAt,
      ...(p.description ? { description: p.description } : {}),
      default_version: this.versionJson(p, v),
      ...(p.namespace ? { resource_references: [{ key: { type: 'NAMESPACE', id: p.namespace }, relationship: 'OWNER' }] } : {}),
    };
  }

  private versionJson(p: { id: string }, v: { id: string; name: string; createdAt: string }): Record<string, unknown> {
    return { id: v.id, name: v.name, created_at: v.createdAt, resource_references: [{ key: { type: 'PIPELINE', id: p.id }, relationship: 'OWNER' }] };
  }

  private experimentJson(e: ContractServer['experiments'][number]): Record<string, unknown> {
    return {
      id: e.id,
      name: e.name,
      created_at: e.createdAt,
      storage_state: 'STORAGESTATE_AVAILABLE',
      ...(e.namespace ? { resource_references: [{ key: { type: 'NAMESPACE', id: e.namespace }, relationship: 'OWNER' }] } : {}),
    };
  }

  private runJson(r: Run, status: string): Record<string, unknown> {
    return {
      id: r.id,
      name: r.name,
      storage_state: 'STORAGESTATE_AVAILABLE',
      pipeline_spec: { workflow_manifest: JSON.stringify(r.workflow), parameters: r.parameters },
      resource_references: [{ key: { type: 'EXPERIMENT', id: r.experimentId }, relationship: 'OWNER' }],
      created_at: r.createdAt,
      scheduled_at: r.createdAt,
      ...(status ? { status } : {}),
    };
  }
}
