/**
 * Lowers a checked IrPipeline to an Argo Workflow for Kubeflow Pipelines v1, following
 * kfp 1.8's compiler (see ../shared/reference/kfp-v1-lowering.md) with the differences
 * listed in the README: one template per component wherever the tasks' templates come
 * out identical (arguments travel as task arguments, not baked into the template),
 * no compile timestamp, no `parallelism: 0`.
 */
import type { IrComponent, IrPipeline, IrTask, IrType } from '../ir/ir.js';
import { NameAllocator, sanitizeK8sName, taskName } from '../names.js';
import type { ArgoArtifact, ArgoDagTask, ArgoParameter, ArgoTemplate, ArgoWorkflow } from './argo-types.js';
import type { ComponentSpec } from './component-spec.js';
import { componentSpec } from './components.js';
import { resolveCommandLine } from './placeholders.js';
import { kfpTypeName } from './python-component.js';
import { pyJsonDumps, serializeConst } from './serialize.js';

export const SERVICE_ACCOUNT = 'pipeline-runner';

const byName = <T extends { name: string }>(a: T, b: T): number => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

interface LoweredComponent {
  readonly ir: IrComponent;
  readonly spec: ComponentSpec;
  /** The template name every task of this component shares when their templates agree. */
  readonly base: string;
}

/** Names of the output artifacts (and parameters) of a component's template. */
function outputName(c: LoweredComponent, output: string): string {
  const type = c.ir.outputs.find((o) => o.name === output)?.type;
  // The KFP UI looks for these two artifacts by their fixed names (kfp's _is_legacy_output_name).
  if (type === 'metrics') return 'mlpipeline-metrics';
  if (type === 'ui_metadata') return 'mlpipeline-ui-metadata';
  return `${c.base}-${sanitizeK8sName(output, true)}`;
}

function paramRef(name: string): string {
  return `{{inputs.parameters.${name}}}`;
}

interface TaskPlan {
  readonly task: IrTask;
  readonly comp: LoweredComponent;
  template: ArgoTemplate;
  readonly args: ArgoParameter[];
  readonly artifacts: ArgoArtifact[];
  readonly dependencies: Set<string>;
  /** output name → container path, for output parameters added once consumers are known. */
  readonly outputPaths: Map<string, string>;
}

export class WorkflowLowering {
  private readonly components = new Map<string, LoweredComponent>();
  private readonly templateNames = new NameAllocator();
  private readonly usedParams = new Set<string>();

  constructor(
    private readonly pipeline: IrPipeline,
    components: readonly IrComponent[],
    specs: ReadonlyMap<string, ComponentSpec>,
  ) {
    const bases = new NameAllocator();
    for (const c of components) {
      const spec = specs.get(c.name) ?? componentSpec(c);
      this.components.set(c.name, { ir: c, spec, base: bases.unique(taskName(c.name)) });
    }
  }

  lower(): ArgoWorkflow {
    const plans = this.pipeline.body.map((t) => this.planTask(t));
    const templates = this.shareTemplates(plans);
    this.addOutputParameters(plans, templates);
    const entrypoint = this.templateNames.unique(this.pipeline.name);
    const root: ArgoTemplate = {
      name: entrypoint,
      ...(this.usedParams.size > 0 ? { inputs: { parameters: [...this.usedParams].sort().map((name) => ({ name })) } } : {}),
      dag: { tasks: plans.map((p) => this.dagTask(p)).sort(byName) },
    };
    return {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Workflow',
      metadata: {
        generateName: `${this.pipeline.name}-`,
        annotations: { 'pipelines.kubeflow.org/pipeline_spec': this.pipelineSpecAnnotation() },
      },
      spec: {
        entrypoint,
        templates: [...templates, root].sort(byName),
        arguments: {
          parameters: this.pipeline.params.map((p) => ({ name: p.name, ...(p.default ? { value: serializeConst(p.default, p.type) } : {}) })),
        },
        serviceAccountName: SERVICE_ACCOUNT,
      },
    };
  }

  /** The pipeline's interface as the KFP UI reads it to build the run form (kfp's pipeline_spec annotation). */
  private pipelineSpecAnnotation(): string {
    const p = this.pipeline;
    return pyJsonDumps({
      ...(p.description ? { description: p.description } : {}),
      inputs: p.params.map((x) => ({
        name: x.name,
        type: kfpTypeName(x.type),
        ...(x.default ? { default: serializeConst(x.default, x.type), optional: true } : {}),
      })),
      name: p.displayName,
    });
  }

  private planTask(task: IrTask): TaskPlan {
    const comp = this.components.get(task.component)!;
    const inputType = (name: string): IrType => comp.ir.inputs.find((i) => i.name === name)?.type ?? 'str';
    const args: ArgoParameter[] = [];
    const artifacts: ArgoArtifact[] = [];
    const inParams: ArgoParameter[] = [];
    const inArtifacts: ArgoArtifact[] = [];
    const outArtifacts: ArgoArtifact[] = [];
    const outputPaths = new Map<string, string>();
    const dependencies = new Set<string>(task.after);
    const argumentsAnnotation: Record<string, string> = {};

    /** The text a task argument carries for a value input: a constant, a parameter or another task's output. */
    const argumentText = (input: string): string => {
      const v = task.args[input];
      if (v === undefined) {
        const def = comp.ir.inputs.find((i) => i.name === input)?.default;
        // kfp passes an optional input's default explicitly when no argument is given.
        return def ? serializeConst(def, inputType(input)) : '';
      }
      if ('const' in v) return serializeConst(v, inputType(input));
      if ('param' in v) {
        this.usedParams.add(v.param);
        return paramRef(v.param);
      }
      dependencies.add(v.output.task);
      const producer = this.producerOf(v.output.task);
      return `{{tasks.${v.output.task}.outputs.parameters.${outputName(producer, v.output.name)}}}`;
    };

    const resolveHooks = {
      isPresent: (input: string) => task.args[input] !== undefined || comp.ir.inputs.find((i) => i.name === input)?.default !== undefined,
      inputValue: (input: string) => {
        const name = sanitizeK8sName(input, true);
        if (!inParams.some((p) => p.name === name)) {
          inParams.push({ name });
          args.push({ name, value: argumentText(input) });
          argumentsAnnotation[input] = paramRef(name);
        }
        return paramRef(name);
      },
      inputPath: (input: string, path: string) => {
        const name = sanitizeK8sName(input, true);
        if (inArtifacts.some((a) => a.name === name)) return;
        const v = task.args[input];
        const def = comp.ir.inputs.find((i) => i.name === input)?.default;
        if (v === undefined || 'const' in v) {
          // A constant file input is a raw artifact baked into the template, as kfp does.
          const c = v ?? def!;
          inArtifacts.push({ name, path, raw: { data: serializeConst(c, inputType(input)) } });
          return;
        }
        inArtifacts.push({ name, path });
        if ('param' in v) {
          this.usedParams.add(v.param);
          artifacts.push({ name, raw: { data: paramRef(v.param) } });
        } else {
          dependencies.add(v.output.task);
          const producer = this.producerOf(v.output.task);
          artifacts.push({ name, from: `{{tasks.${v.output.task}.outputs.artifacts.${outputName(producer, v.output.name)}}}` });
        }
      },
      outputPath: (output: string, path: string) => {
        const name = outputName(comp, output);
        if (outArtifacts.some((a) => a.name === name)) return;
        outArtifacts.push({ name, path });
        outputPaths.set(output, path);
      },
    };
    const container = comp.spec.implementation.container;
    const command = resolveCommandLine(container.command, resolveHooks);
    const cliArgs = resolveCommandLine(container.args, resolveHooks);

    // kfp puts the UI artifacts first, then the rest sorted by name.
    const ui = outArtifacts.filter((a) => a.name.startsWith('mlpipeline-'));
    const rest = outArtifacts.filter((a) => !a.name.startsWith('mlpipeline-')).sort(byName);
    const template: ArgoTemplate = {
      name: comp.base,
      container: { args: cliArgs, command, image: container.image },
      ...(inParams.length || inArtifacts.length
        ? { inputs: { ...(inParams.length ? { parameters: inParams.sort(byName) } : {}), ...(inArtifacts.length ? { artifacts: inArtifacts.sort(byName) } : {}) } }
        : {}),
      ...(outArtifacts.length ? { outputs: { artifacts: [...ui, ...rest] } } : {}),
      metadata: {
        annotations: {
          'pipelines.kubeflow.org/component_spec': pyJsonDumps(comp.spec),
          'pipelines.kubeflow.org/component_ref': '{}',
          'pipelines.kubeflow.org/arguments.parameters': pyJsonDumps(argumentsAnnotation),
        },
        labels: {
          'pipelines.kubeflow.org/pipeline-sdk-type': 'kfp',
          'pipelines.kubeflow.org/enable_caching': 'true',
        },
      },
    };
    return { task, comp, template, args, artifacts, dependencies, outputPaths };
  }

  private producerOf(taskNameValue: string): LoweredComponent {
    const t = this.pipeline.body.find((x) => x.name === taskNameValue)!;
    return this.components.get(t.component)!;
  }

  /**
   * Tasks whose templates come out identical share one template, named after the
   * component; a task whose template differs (a constant file input, other settings)
   * gets its own, `<component>-2` and so on, as kfp names them.
   */
  private shareTemplates(plans: TaskPlan[]): ArgoTemplate[] {
    const byKey = new Map<string, ArgoTemplate>();
    const out: ArgoTemplate[] = [];
    for (const p of plans) {
      const key = JSON.stringify({ ...p.template, name: p.comp.base });
      let shared = byKey.get(key);
      if (!shared) {
        shared = { ...p.template, name: this.templateNames.unique(p.comp.base) };
        byKey.set(key, shared);
        out.push(shared);
      }
      p.template = shared;
    }
    return out;
  }

  /** An output becomes an Argo output parameter only where some task consumes it as a value (kfp's data-passing rewriter). */
  private addOutputParameters(plans: TaskPlan[], templates: ArgoTemplate[]): void {
    const consumed = new Map<ArgoTemplate, Map<string, string>>();
    for (const p of plans) {
      const comp = p.comp.ir;
      for (const [input, v] of Object.entries(p.task.args)) {
        if (!('output' in v)) continue;
        if (comp.inputs.find((i) => i.name === input)?.type === 'file') continue;
        const producer = plans.find((x) => x.task.name === v.output.task)!;
        const name = outputName(producer.comp, v.output.name);
        const path = producer.outputPaths.get(v.output.name)!;
        const map = consumed.get(producer.template) ?? new Map<string, string>();
        map.set(name, path);
        consumed.set(producer.template, map);
      }
    }
    for (const t of templates) {
      const map = consumed.get(t);
      if (!map) continue;
      const parameters = [...map].map(([name, path]) => ({ name, valueFrom: { path } })).sort(byName);
      // Output parameters come before artifacts, as kfp writes them.
      t.outputs = { parameters, ...(t.outputs?.artifacts ? { artifacts: t.outputs.artifacts } : {}) };
    }
  }

  private dagTask(p: TaskPlan): ArgoDagTask {
    const deps = [...p.dependencies].sort();
    const args = {
      ...(p.args.length ? { parameters: [...p.args].sort(byName) } : {}),
      ...(p.artifacts.length ? { artifacts: [...p.artifacts].sort(byName) } : {}),
    };
    return {
      name: p.task.name,
      template: p.template.name,
      ...(deps.length ? { dependencies: deps } : {}),
      ...(Object.keys(args).length ? { arguments: args } : {}),
    };
  }
}
