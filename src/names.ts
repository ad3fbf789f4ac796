/** Kubernetes-safe names, made the way kfp v1 makes them (kfp/dsl/_pipeline.py, compiler/_k8s_helper.py). */

/** kfp's sanitize_k8s_name: lower-case, runs of other characters become one `-`, no `-` at the ends. */
export function sanitizeK8sName(name: string, allowCapitalUnderscore = false): string {
  const s = allowCapitalUnderscore
    ? name.replace(/[^-_0-9A-Za-z]+/g, '-')
    : name.toLowerCase().replace(/[^-0-9a-z]+/g, '-');
  return s.replace(/-+/g, '-').replace(/^-+|-+$/g, '');
}

const SIMPLE_TASK_NAME = /^[a-z][a-z0-9]*(?:[-_][a-z0-9]+)*$/;

/** kfp's task naming: `My Component_Name!` → `my-component-name`; a leading digit gets an `n`. */
export function taskName(human: string): string {
  // Most names (`train`, `t12`, `load_data`) are lower-case words joined by `_` or `-`: those come
  // out with `-` for `_` and nothing else changed, without the seven regex passes below (per task).
  if (SIMPLE_TASK_NAME.test(human)) return human.replace(/_/g, '-');
  let s = human.toLowerCase().replace(/[\W_]/g, ' ').replace(/ +/g, ' ').trim();
  if (/^[0-9]/.test(s)) s = 'n' + s;
  s = sanitizeK8sName(s.replace(/ /g, '-'));
  return s === '' ? 'task' : s;
}

/** Hands out names unique within one namespace, as kfp does: `echo`, `echo-2`, `echo-3`. */
export class NameAllocator {
  private readonly used = new Set<string>();
  /** The next suffix to try per base name, so that handing out n names stays linear. */
  private readonly next = new Map<string, number>();

  reserve(name: string): void {
    this.used.add(name);
  }

  has(name: string): boolean {
    return this.used.has(name);
  }

  unique(base: string): string {
    let name = base;
    if (this.used.has(name)) {
      let i = this.next.get(base) ?? 2;
      while (this.used.has(`${base}-${i}`)) i++;
      name = `${base}-${i}`;
      this.next.set(base, i + 1);
    }
    this.used.add(name);
    return name;
  }
}

/** A pipeline's Kubernetes name (its Workflow's generateName, `kfpdsl run`'s run ids): kfp's sanitize_k8s_name of the display name. */
export function pipelineK8sName(displayName: string): string {
  return sanitizeK8sName(displayName) || 'pipeline';
}
