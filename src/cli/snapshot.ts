/**
 * Entry of the V8 startup snapshot (dist/kfpdsl.blob, see
 * scripts/bundle.mjs and bin/kfpdsl). While the snapshot is built, one small pipeline
 * is compiled so that everything a run sets up once (the Chevrotain lexer and parser,
 * the compiled Handlebars templates, the schema validators) is already in the heap
 * that each `kfpdsl` process then starts from.
 */
import v8 from 'node:v8';
import { compileSource } from '../compile.js';
import { SourceFile } from '../source.js';
import { main } from './main.js';

const WARM_UP = `
component inc(n: int, by: int = 1) -> int {
  """Adds."""
  packages: ["numpy==1.26.4"]
  \`\`\`python
  import json
  total = sum(x for x in [n, by] if x is not None)
  for i, x in enumerate([total]):
      print(f"{i}: {json.dumps({'x': x})}")
  return n + by
  \`\`\`
}

component show(text: str) -> (out: file) {
  image: "alpine:3.19"
  command: ["sh", "-c", "echo $0 > $1", text, out]
}

pipeline "warm up" (start: int = 0, names: list = ["a", "b"]) {
  a = inc(start) { cpu: 1 .. 2, memory: "1G", retry: 2, env: { X: "y" } }
  if a < 3 {
    b = inc(a, by: 2)
  } else {
    show("big")
  }
  for name in names parallelism 2 {
    s = show(name)
  }
  finally {
    show("done")
  }
}
`;

if (v8.startupSnapshot.isBuildingSnapshot()) {
  compileSource(new SourceFile('warm-up.kfp', WARM_UP));
  v8.startupSnapshot.setDeserializeMainFunction(() => {
    process.exitCode = main(process.argv.slice(1));
  });
} else {
  process.exitCode = main(process.argv.slice(2));
}
