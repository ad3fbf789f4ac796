// The KFP API server's and the Argo Server's Swagger 2.0 contracts, read from
// ../shared/schemas/kfp-api at test time, as request and response validators.
//
// Strictness beyond the files, as the real servers behave: every object definition with
// `properties` is closed (`additionalProperties: false`: grpc-gateway rejects unknown JSON
// fields), a query parameter the operation does not declare is a violation, and Kubernetes'
// IntOrString / Quantity take a string or a number (as Go's JSON decoding of them does).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import _Ajv from 'ajv';
import type { ValidateFunction } from 'ajv';
import _addFormats from 'ajv-formats';
import { sharedDir } from './argo-strict.js';

const Ajv = _Ajv.default;
const addFormats = _addFormats.default;

export const contractDir = resolve(sharedDir, 'schemas', 'kfp-api');

type Json = Record<string, unknown>;

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'body' | 'formData' | 'header';
  readonly required?: boolean;
  readonly type?: string;
  readonly enum?: readonly string[];
  readonly schema?: Json;
}

export interface Operation {
  readonly api: string;
  readonly method: string;
  readonly template: string;
  readonly regex: RegExp;
  readonly pathNames: string[];
  readonly operationId: string;
  readonly consumes: readonly string[];
  readonly parameters: readonly Parameter[];
  readonly responses: Readonly<Record<string, { schema?: Json }>>;
}

export class Contract {
  readonly operations: Operation[] = [];
  private readonly ajv = new Ajv({ strict: false, allErrors: true, validateFormats: true });
  private readonly cache = new Map<string, ValidateFunction>();

  constructor() {
    addFormats(this.ajv);
    for (const f of ['int32', 'int64', 'uint64', 'double', 'float', 'byte', 'int-or-string']) this.ajv.addFormat(f, true);
  }

  /** Adds a Swagger file under the id `api` (`kfp-v1`, `argo`). */
  add(api: string, file: string, extraDefinitions: string[] = []): void {
    const doc = JSON.parse(readFileSync(file, 'utf8')) as Json;
    const definitions = { ...(doc['definitions'] as Json) };
    for (const extra of extraDefinitions) Object.assign(definitions, (JSON.parse(readFileSync(extra, 'utf8')) as Json)['definitions'] as Json);
    for (const [name, def] of Object.entries(definitions)) definitions[name] = patch(name, def as Json);
    this.ajv.addSchema({ $id: api, definitions: retarget(definitions, api) });
    const globalConsumes = (doc['consumes'] as string[] | undefined) ?? ['application/json'];
    for (const [template, ops] of Object.entries(doc['paths'] as Record<string, Json>)) {
      const pathNames: string[] = [];
      const regex = new RegExp(
        `^${template
          .split(/(\{[^}]+\})/)
          .map((part) => {
            const m = /^\{([^}]+)\}$/.exec(part);
            if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
            pathNames.push(m[1]!);
            return '([^/:]+)';
          })
          .join('')}$`,
      );
      for (const [method, op] of Object.entries(ops)) {
        if (method === 'parameters') continue;
        const o = op as Json;
        this.operations.push({
          api,
          method: method.toUpperCase(),
          template,
          regex,
          pathNames,
          operationId: String(o['operationId']),
          consumes: (o['consumes'] as string[] | undefined) ?? globalConsumes,
          parameters: ((o['parameters'] as Parameter[] | undefined) ?? []).map((p) => (p.schema ? { ...p, schema: retarget(p.schema, api) as Json } : p)),
          responses: Object.fromEntries(Object.entries(o['responses'] as Json).map(([k, v]) => [k, { schema: (v as Json)['schema'] ? (retarget((v as Json)['schema'], api) as Json) : undefined }])),
        });
      }
    }
    // Literal paths before templated ones: /pipelines/upload is not /pipelines/{id}.
    this.operations.sort((a, b) => a.pathNames.length - b.pathNames.length);
  }

  find(api: string, method: string, path: string): { op: Operation; params: Record<string, string> } | undefined {
    for (const op of this.operations) {
      if (op.api !== api || op.method !== method) continue;
      const m = op.regex.exec(path);
      if (m) return { op, params: Object.fromEntries(op.pathNames.map((n, i) => [n, decodeURIComponent(m[i + 1]!)])) };
    }
    return undefined;
  }

  /** Errors of `value` against `schema` (a Swagger schema already retargeted to its api). */
  errors(schema: Json, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let v = this.cache.get(key);
    if (!v) {
      v = this.ajv.compile(schema);
      this.cache.set(key, v);
    }
    if (v(value)) return [];
    return (v.errors ?? []).slice(0, 8).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params['additionalProperty'])})` : ''}`);
  }

  /** A schema that refers to definition `name` of `api`. */
  static ref(api: string, name: string): Json {
    return { $ref: `${api}#/definitions/${name}` };
  }
}

/** Points `#/definitions/x` at the api's registered schema. */
function retarget(value: unknown, api: string): unknown {
  return JSON.parse(JSON.stringify(value).replaceAll('"#/definitions/', `"${api}#/definitions/`));
}

function patch(name: string, def: Json): Json {
  if (/IntOrString$/.test(name)) return { type: ['string', 'integer'] };
  if (/resource\.Quantity$/.test(name)) return { type: ['string', 'number'] };
  const closed = (d: Json): Json => {
    if (d['properties'] && d['additionalProperties'] === undefined) {
      const props = Object.fromEntries(Object.entries(d['properties'] as Json).map(([k, v]) => [k, closed(v as Json)]));
      return { ...d, properties: props, additionalProperties: false };
    }
    return d;
  };
  return closed(def);
}

/** Every contract kfpdsl talks to: KFP v1beta1 and v2beta1 (each with its filter definitions) and the Argo Server. */
export function loadContracts(): Contract {
  const c = new Contract();
  c.add('kfp-v1', resolve(contractDir, 'v1beta1', 'kfp_api_single_file.swagger.json'), [resolve(contractDir, 'v1beta1', 'filter.swagger.json')]);
  c.add('kfp-v2', resolve(contractDir, 'v2beta1', 'kfp_api_single_file.swagger.json'), [resolve(contractDir, 'v2beta1', 'filter.swagger.json')]);
  c.add('argo', resolve(contractDir, 'argo-server.swagger.json'));
  return c;
}
