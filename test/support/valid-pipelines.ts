/**
 * Random *valid* pipelines: a seeded generator of .kfp programs that use tasks, nested
 * conditions, loops (over literals, outputs and parameters), fan-in, files and calls in
 * arguments, the way a kfp user combines them. Every generated program must compile
 * without errors; its workflow must pass the strict Argo validator and run.
 */
import { mulberry32 } from './fuzz-cases.js';

const COMPONENTS = `component inc(n: int) -> int {
  \`\`\`python
  return n + 1
  \`\`\`
}

component pair(a: int, b: int) -> (x: int, y: int) {
  \`\`\`python
  return (a + b, a - b)
  \`\`\`
}

component to_file(n: int) -> (out: file) {
  \`\`\`python
  with open(out, "w") as f:
      f.write(str(n))
  \`\`\`
}

component from_file(data: file) -> int {
  \`\`\`python
  with open(data) as f:
      return int(f.read())
  \`\`\`
}

component total(values: list) -> int {
  \`\`\`python
  return sum(int(v) for v in values)
  \`\`\`
}

component is_even(n: int) -> bool {
  \`\`\`python
  return n % 2 == 0
  \`\`\`
}

component upto(n: int) -> list {
  \`\`\`python
  return list(range(abs(n) % 3 + 1))
  \`\`\`
}
`;

interface Scope {
  ints: string[];
  lists: string[];
}

export function validPipeline(seed: number): string {
  const rnd = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let counter = 0;
  const fresh = (p: string) => `${p}${++counter}`;
  const lines: string[] = [];

  function block(scope: Scope, depth: number, indent: string, statements: number): void {
    const local: Scope = { ints: [...scope.ints], lists: [...scope.lists] };
    for (let i = 0; i < statements; i++) {
      const r = rnd();
      const int = () => (rnd() < 0.2 ? String(Math.floor(rnd() * 10)) : pick(local.ints));
      if (r < 0.3 || depth >= 3) {
        const v = fresh('t');
        lines.push(`${indent}${v} = inc(${rnd() < 0.2 ? `inc(${int()})` : int()})`);
        local.ints.push(v);
      } else if (r < 0.4) {
        const v = fresh('p');
        lines.push(`${indent}${v} = pair(${int()}, b: ${int()})`);
        local.ints.push(`${v}.x`, `${v}.y`);
      } else if (r < 0.5) {
        const f = fresh('f');
        const g = fresh('g');
        lines.push(`${indent}${f} = to_file(${int()})`, `${indent}${g} = from_file(${f}.out)`);
        local.ints.push(g);
      } else if (r < 0.6) {
        const v = fresh('l');
        lines.push(`${indent}${v} = upto(${int()})`);
        local.lists.push(v);
      } else if (r < 0.78) {
        const cond = rnd() < 0.5 ? `${int()} ${pick(['<', '<=', '>', '>=', '==', '!='])} ${int()}` : `is_even(${int()})`;
        if (cond.startsWith('is_even')) {
          const e = fresh('e');
          lines.push(`${indent}${e} = ${cond}`);
          lines.push(`${indent}if ${e} ${rnd() < 0.3 ? `and ${int()} > 2` : ''}{`);
        } else lines.push(`${indent}if ${cond} {`);
        block(local, depth + 1, `${indent}  `, 1 + Math.floor(rnd() * 2));
        if (rnd() < 0.5) {
          lines.push(`${indent}} else {`);
          block(local, depth + 1, `${indent}  `, 1);
        }
        lines.push(`${indent}}`);
      } else {
        const item = fresh('i');
        const source = local.lists.length > 0 && rnd() < 0.6 ? pick(local.lists) : `[${[1, 2, 3].slice(0, 1 + Math.floor(rnd() * 3)).join(', ')}]`;
        lines.push(`${indent}for ${item} in ${source}${rnd() < 0.3 ? ' parallelism 2' : ''} {`);
        const inner = fresh('t');
        lines.push(`${indent}  ${inner} = inc(${item})`);
        block({ ints: [...local.ints, item, inner], lists: local.lists }, depth + 1, `${indent}  `, Math.floor(rnd() * 2));
        lines.push(`${indent}}`);
        if (rnd() < 0.7) {
          const sum = fresh('s');
          lines.push(`${indent}${sum} = total(${inner})`);
          local.ints.push(sum);
        }
      }
    }
  }

  lines.push('pipeline "generated" (start: int = 3, items: list = [1, 2]) {');
  block({ ints: ['start'], lists: ['items'] }, 0, '  ', 3 + Math.floor(rnd() * 4));
  lines.push('}');
  return `${COMPONENTS}\n${lines.join('\n')}\n`;
}
