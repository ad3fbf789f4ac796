/**
 * Renders the lowered objects to YAML text through Handlebars templates. The templates
 * are safe by construction: they are constants of this package (never user input),
 * precompiled with `strict` (a missing field throws instead of rendering empty) and
 * `noEscape` (no HTML entities) by scripts/hbs-precompile.mjs, and every value reaches
 * the text through the `json` helper as a JSON scalar or flow collection, which YAML
 * reads back verbatim. Argo's own `{{inputs.parameters.x}}` placeholders are therefore
 * data inside JSON strings, never template syntax.
 */
import Handlebars from 'handlebars/runtime';
import componentTpl from './templates/component.yaml.hbs';
import containerTpl from './templates/container-template.yaml.hbs';
import otherTpl from './templates/other-template.yaml.hbs';
import workflowTpl from './templates/workflow.yaml.hbs';
import type { ArgoTemplate, ArgoWorkflow } from './argo-types.js';
import type { ComponentSpec } from './component-spec.js';

type Render = (data: unknown) => string;

let compiled: { workflow: Render; component: Render } | undefined;

function templates(): { workflow: Render; component: Render } {
  if (compiled) return compiled;
  const hb = Handlebars.create();
  hb.registerHelper('json', (value: unknown) => JSON.stringify(value));
  /** The entries of an object other than the named ones, for keys a template does not spell out. */
  hb.registerPartial('containerTemplate', hb.template(containerTpl));
  hb.registerPartial('otherTemplate', hb.template(otherTpl));
  compiled = { workflow: hb.template(workflowTpl), component: hb.template(componentTpl) };
  return compiled;
}

const SPEC_KEYS = new Set(['entrypoint', 'templates', 'arguments', 'serviceAccountName']);
const CONTAINER_KEYS = new Set(['name', 'container', 'inputs', 'outputs', 'metadata']);

function extras(obj: object, skip: ReadonlySet<string>): { key: string; value: unknown }[] {
  return Object.entries(obj)
    .filter(([k, v]) => !skip.has(k) && v !== undefined)
    .map(([key, value]) => ({ key, value }));
}

/** Every key a template mentions is present (possibly undefined), as `strict` mode requires. */
function templateView(t: ArgoTemplate): Record<string, unknown> {
  if (t.container) {
    return {
      name: t.name,
      container: t.container,
      inputs: t.inputs,
      outputs: t.outputs,
      metadata: t.metadata ? { annotations: t.metadata.annotations ?? {}, labels: t.metadata.labels ?? {} } : undefined,
      extras: extras(t, CONTAINER_KEYS),
    };
  }
  return { name: t.name, container: undefined, extras: extras(t, new Set(['name'])) };
}

export function renderWorkflow(wf: ArgoWorkflow): string {
  return templates().workflow({
    apiVersion: wf.apiVersion,
    kind: wf.kind,
    metadata: { generateName: wf.metadata.generateName, annotations: wf.metadata.annotations, labels: wf.metadata.labels },
    spec: {
      entrypoint: wf.spec.entrypoint,
      templates: wf.spec.templates.map(templateView),
      arguments: wf.spec.arguments,
      serviceAccountName: wf.spec.serviceAccountName,
    },
    specExtras: extras(wf.spec, SPEC_KEYS),
  });
}

export function renderComponent(spec: ComponentSpec): string {
  const c = spec.implementation.container;
  return templates().component({
    name: spec.name,
    description: spec.description,
    metadata: spec.metadata,
    inputs: spec.inputs,
    outputs: spec.outputs,
    implementation: { container: { image: c.image, command: c.command, args: c.args, env: c.env } },
  });
}
