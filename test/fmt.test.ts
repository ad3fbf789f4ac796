/**
 * `kfpdsl fmt` (src/fmt/format.ts): the examples format to programs with the same syntax
 * tree and byte-identical compiled output, formatting is idempotent, messy hand-written
 * inputs give exact canonical text, and files with syntax errors are refused.
 *
 * `KFPDSL_FMT_WRITE=1 npx vitest run test/fmt.test.ts` rewrites the examples that are not
 * in canonical form (the golden outputs stay valid: formatting never changes them).
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileSource } from '../src/compile.js';
import { formatCheck, formatSource } from '../src/fmt/format.js';
import { SourceFile } from '../src/source.js';
import { parseSource } from '../src/syntax/parse.js';

const root = new URL('..', import.meta.url).pathname;
const examples = readdirSync(join(root, 'examples'))
  .filter((f) => f.endsWith('.kfp'))
  .sort();
const fixturesDir = join(root, 'test/fixtures/errors');
const fixtures = readdirSync(fixturesDir)
  .filter((f) => f.endsWith('.kfp'))
  .sort();

/** Positions in the syntax tree: `span` and every `…Span` (name, path, key, operator, keyword…), and the file. */
const isPositionKey = (key: string): boolean => key === 'file' || key === 'span' || key.endsWith('Span');

/** The syntax tree without positions, or undefined when the text does not parse. */
function shape(path: string, text: string): unknown {
  const doc = parseSource(new SourceFile(path, text)).document;
  return doc && JSON.parse(JSON.stringify(doc, (key, value: unknown) => (isPositionKey(key) ? undefined : value)));
}

function fmt(text: string, path = 'test.kfp'): string {
  const result = formatSource(new SourceFile(path, text));
  expect(result.diagnostics.map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  expect(result.text).toBeDefined();
  return result.text!;
}

function lines(...ls: string[]): string {
  return ls.join('\n') + '\n';
}

describe('fmt: examples', () => {
  for (const name of examples) {
    const rel = `examples/${name}`;
    const text = readFileSync(join(root, rel), 'utf8');

    it(`${name}: same syntax tree, same compiled output, idempotent`, () => {
      const out = fmt(text, rel);
      expect(fmt(out, rel)).toBe(out);
      expect(shape(rel, out)).toEqual(shape(rel, text));
      // Compiled from the same path so that imports resolve alike.
      const before = compileSource(new SourceFile(rel, text));
      const after = compileSource(new SourceFile(rel, out));
      expect(after.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(after.files.map((f) => [f.path, f.text])).toEqual(before.files.map((f) => [f.path, f.text]));
      expect(after.files.length).toBeGreaterThan(0);
    });
  }

  it('every example is in canonical form', () => {
    const needing = examples.filter((name) => !formatCheck(new SourceFile(`examples/${name}`, readFileSync(join(root, 'examples', name), 'utf8'))));
    if (process.env['KFPDSL_FMT_WRITE'] === '1') {
      for (const name of needing) {
        const rel = `examples/${name}`;
        writeFileSync(join(root, rel), fmt(readFileSync(join(root, rel), 'utf8'), rel));
      }
      return;
    }
    expect(needing, 'examples to format (KFPDSL_FMT_WRITE=1 npx vitest run test/fmt.test.ts)').toEqual([]);
  });
});

describe('fmt: error fixtures that parse', () => {
  for (const name of fixtures) {
    const text = readFileSync(join(fixturesDir, name), 'utf8');
    const result = formatSource(new SourceFile(name, text));
    if (result.text === undefined) continue;
    it(`${name}: same syntax tree, idempotent`, () => {
      expect(shape(name, result.text!)).toEqual(shape(name, text));
      expect(fmt(result.text!, name)).toBe(result.text);
    });
  }
});

describe('fmt: layout', () => {
  it('re-indents, spaces tokens, removes blank lines at block edges and trailing white space', () => {
    const input = [
      '',
      '',
      'component   add( value_1 :int,value_2:int=2 )->int{   ',
      '        """Adds."""',
      '',
      '',
      '',
      '   image:"python:3.11"',
      '      ```python',
      '      return value_1+value_2',
      '      ```',
      '',
      '         }',
      'pipeline "p"(x:int=1){',
      '',
      '  s=add(x,2){cpu:1..2 memory :"1G"}',
      '      if s>=3 and not x==2 or(x!=1){',
      'add( x , value_2 : 3 )',
      '}elif x<0{ add(1,2) }',
      '   else{add(3,4)}',
      '',
      '',
      '',
      '   for i in[1,2,3,]parallelism 2{add(i,1)}',
      '   t = add(1, 2)after s,   x',
      '   finally{add(0,0)}',
      '',
      '}',
      '',
      '',
    ].join('\n');
    expect(fmt(input)).toBe(
      lines(
        'component add(value_1: int, value_2: int = 2) -> int {',
        '  """Adds."""',
        '',
        '  image: "python:3.11"',
        '  ```python',
        '  return value_1+value_2',
        '  ```',
        '}',
        '',
        'pipeline "p" (x: int = 1) {',
        '  s = add(x, 2) {',
        '    cpu: 1 .. 2',
        '    memory: "1G"',
        '  }',
        '  if s >= 3 and not x == 2 or (x != 1) {',
        '    add(x, value_2: 3)',
        '  } elif x < 0 {',
        '    add(1, 2)',
        '  } else {',
        '    add(3, 4)',
        '  }',
        '',
        '  for i in [1, 2, 3] parallelism 2 {',
        '    add(i, 1)',
        '  }',
        '  t = add(1, 2) after s, x',
        '  finally {',
        '    add(0, 0)',
        '  }',
        '}',
      ),
    );
  });

  it('turns CRLF into LF and tabs of indentation into spaces', () => {
    const input = 'component a() {\r\n\timage: "alpine:3.19"\r\n\t\tcommand: ["echo",\t"hi"]\r\n}\r\n\r\n\r\npipeline "p" () {\r\n\ta()\r\n}\r\n';
    expect(fmt(input)).toBe(lines('component a() {', '  image: "alpine:3.19"', '  command: ["echo", "hi"]', '}', '', 'pipeline "p" () {', '  a()', '}'));
  });

  it('puts exactly one blank line between declarations and keeps imports together', () => {
    const input = lines(
      '# 헤더: 파이프라인 설명',
      'import "a.yaml" as a',
      'import "b.yaml" as b',
      '',
      '',
      'import "c.yaml" as c',
      'component x() { image: "alpine:3.19" command: ["true"] }',
      '# about y',
      'component y() { image: "alpine:3.19" command: ["true"] }',
      '',
      '',
      '',
      '# not attached',
      '',
      '',
      'pipeline "p" () { x() y() }',
      '# the end',
    );
    expect(fmt(input)).toBe(
      lines(
        '# 헤더: 파이프라인 설명',
        'import "a.yaml" as a',
        'import "b.yaml" as b',
        '',
        'import "c.yaml" as c',
        '',
        'component x() {',
        '  image: "alpine:3.19"',
        '  command: ["true"]',
        '}',
        '',
        '# about y',
        'component y() {',
        '  image: "alpine:3.19"',
        '  command: ["true"]',
        '}',
        '',
        '# not attached',
        '',
        'pipeline "p" () {',
        '  x()',
        '  y()',
        '}',
        '# the end',
      ),
    );
  });

  it('keeps one-line lists, dicts and calls on one line, with canonical spacing', () => {
    const input = lines(
      'pipeline "p" () {',
      '  t = f( 1 ,2, [ "a","b", ] , {a:1,"b c" : [ ]}, { }, [ ], g() ) {',
      '    env: {x:  secret( "s","k" )}',
      '    tolerations: [{key:"k",operator:"Exists"}]',
      '  }',
      '  for row in [{a: 1, b: 2},{a: 10, b: 20}] { f(row.a,row . b) }',
      '}',
    );
    expect(fmt(input)).toBe(
      lines(
        'pipeline "p" () {',
        '  t = f(1, 2, ["a", "b"], { a: 1, "b c": [] }, {}, [], g()) {',
        '    env: { x: secret("s", "k") }',
        '    tolerations: [{ key: "k", operator: "Exists" }]',
        '  }',
        '  for row in [{ a: 1, b: 2 }, { a: 10, b: 20 }] {',
        '    f(row.a, row.b)',
        '  }',
        '}',
      ),
    );
  });

  it('puts each item of a list, dict or argument list broken over lines on its own line, with a trailing comma', () => {
    const input = lines(
      'component c(',
      'text: str, times: int = 1) -> (out: file,',
      '    n: int) {',
      '  image: "alpine:3.19"',
      '  command: ["sh", "-c",',
      '       "echo $0",',
      '',
      '',
      '       text]',
      '  args: [{',
      '    a: 1, b: [1,',
      '    2]}]',
      '}',
      'pipeline "p" () {',
      '  c(',
      '    "x", times: 3',
      '  ) { env: {',
      '    A: "1"',
      '  } }',
      '}',
    );
    expect(fmt(input)).toBe(
      lines(
        'component c(',
        '  text: str,',
        '  times: int = 1,',
        ') -> (',
        '  out: file,',
        '  n: int,',
        ') {',
        '  image: "alpine:3.19"',
        '  command: [',
        '    "sh",',
        '    "-c",',
        '    "echo $0",',
        '',
        '    text,',
        '  ]',
        '  args: [{',
        '    a: 1,',
        '    b: [',
        '      1,',
        '      2,',
        '    ],',
        '  }]',
        '}',
        '',
        'pipeline "p" () {',
        '  c(',
        '    "x",',
        '    times: 3,',
        '  ) {',
        '    env: {',
        '      A: "1",',
        '    }',
        '  }',
        '}',
      ),
    );
  });

  it('keeps string literals exactly as written, Korean text and escapes included', () => {
    const input = lines('pipeline "파이프라인 \\"이름\\"" (g: str = "안녕\\t\\u00e9\\\\") {', '  e(g,"한글 \\n 문자열")', '}');
    expect(fmt(input)).toBe(lines('pipeline "파이프라인 \\"이름\\"" (g: str = "안녕\\t\\u00e9\\\\") {', '  e(g, "한글 \\n 문자열")', '}'));
  });

  it('writes empty blocks and empty brackets as {} and ()', () => {
    const input = lines('component a(', ') {', '}', 'pipeline "p" (  ) {', '  if true {', '', '  } else { }', '  a( ) {', '  }', '}');
    expect(fmt(input)).toBe(lines('component a() {}', '', 'pipeline "p" () {', '  if true {} else {}', '  a() {}', '}'));
  });

  it('formats an empty file as empty text', () => {
    expect(fmt('')).toBe('');
    expect(fmt('\n\n  \n')).toBe('');
  });
});

describe('fmt: comments', () => {
  it('keeps trailing comments two spaces after the code and own-line comments at the next line’s indentation', () => {
    const input = lines(
      '   # 파일 머리 주석   ',
      'component add(a: int, b: int) -> int {   # 덧셈',
      '        # 코드 앞',
      '  ```python',
      '  return a + b',
      '  ```',
      '            # 마지막 항목',
      '}',
      'pipeline "p" () {',
      '          # first',
      '',
      '  s = add(1, 2)                 # 정렬된 주석',
      '  if s > 1 {',
      '    add(s, 1)# tight',
      '',
      '',
      '        # before the brace',
      '  }',
      '  # at the end of the pipeline',
      '}   # after the pipeline',
    );
    expect(fmt(input)).toBe(
      lines(
        '# 파일 머리 주석',
        'component add(a: int, b: int) -> int {  # 덧셈',
        '  # 코드 앞',
        '  ```python',
        '  return a + b',
        '  ```',
        '  # 마지막 항목',
        '}',
        '',
        'pipeline "p" () {',
        '  # first',
        '',
        '  s = add(1, 2)  # 정렬된 주석',
        '  if s > 1 {',
        '    add(s, 1)  # tight',
        '',
        '    # before the brace',
        '  }',
        '  # at the end of the pipeline',
        '}  # after the pipeline',
      ),
    );
  });

  it('keeps comments inside broken lists next to their items, after the comma', () => {
    const input = lines(
      'component c(',
      '  a: int, # first',
      '  # about b',
      '  b: int # second',
      '  # last',
      ') {',
      '  command: [ # the command',
      '    "echo" , # word',
      '  ]',
      '}',
    );
    expect(fmt(input)).toBe(
      lines(
        'component c(',
        '  a: int,  # first',
        '  # about b',
        '  b: int,  # second',
        '  # last',
        ') {',
        '  command: [  # the command',
        '    "echo",  # word',
        '  ]',
        '}',
      ),
    );
  });

  it('breaks the line after a comment inside a statement and continues one level deeper, blocks included', () => {
    const input = lines(
      'pipeline "p" (x: bool) {',
      '  if x and # why',
      '     true {',
      '    f()',
      '  }',
      '  # before else',
      '  else {',
      '    f()',
      '  }',
      '  t = f() # about t',
      '    after a { cpu: 1 }',
      '}',
    );
    const out = fmt(input);
    expect(out).toBe(
      lines(
        'pipeline "p" (x: bool) {',
        '  if x and  # why',
        '    true {',
        '      f()',
        '    }',
        '    # before else',
        '    else {',
        '      f()',
        '    }',
        '  t = f()  # about t',
        '    after a {',
        '      cpu: 1',
        '    }',
        '}',
      ),
    );
    expect(fmt(out)).toBe(out);
    expect(shape('t.kfp', out)).toEqual(shape('t.kfp', input));
  });
});

describe('fmt: code blocks and descriptions', () => {
  it('re-indents a code block as a whole, keeping the Python indentation relative to its body', () => {
    const input = [
      'component f(n: int) -> int {',
      '"""Counts."""',
      '        ```python   ',
      '        def inner(k):',
      '            if k > 0:',
      '                return k',
      '   ',
      '            return 0',
      '        # a Python comment, 한글',
      '        return inner(n)',
      '             ```',
      '}',
      '',
    ].join('\r\n');
    expect(fmt(input)).toBe(
      lines(
        'component f(n: int) -> int {',
        '  """Counts."""',
        '  ```python',
        '  def inner(k):',
        '      if k > 0:',
        '          return k',
        '',
        '      return 0',
        '  # a Python comment, 한글',
        '  return inner(n)',
        '  ```',
        '}',
      ),
    );
  });

  it('keeps tab-indented Python as written relative to its common indentation', () => {
    const input = 'component f() {\n\t```python\n\tif True:\n\t\tprint("탭")\n\t```\n}\n';
    expect(fmt(input)).toBe('component f() {\n  ```python\n  if True:\n  \tprint("탭")\n  ```\n}\n');
  });

  it('re-indents a description that starts on its own line, and leaves one that starts after the quotes alone', () => {
    const input = lines(
      'component f() {',
      '      """',
      '      Line one',
      '        indented',
      '',
      '      end',
      '      """',
      '  image: "alpine:3.19"',
      '  command: ["echo", """first line',
      '         second line stays where it is',
      '     """]',
      '}',
      'pipeline "p" () {',
      '"""',
      '    설명',
      '"""',
      '  f()',
      '}',
    );
    const out = fmt(input);
    expect(out).toBe(
      lines(
        'component f() {',
        '  """',
        '  Line one',
        '    indented',
        '',
        '  end',
        '  """',
        '  image: "alpine:3.19"',
        '  command: ["echo", """first line',
        '         second line stays where it is',
        '  """]',
        '}',
        '',
        'pipeline "p" () {',
        '  """',
        '  설명',
        '  """',
        '  f()',
        '}',
      ),
    );
    expect(shape('t.kfp', out)).toEqual(shape('t.kfp', input));
  });
});

describe('fmt: what the syntax tree does not hold is read from the source', () => {
  it('keeps grouping parentheses and the spelling of numbers, drops redundant commas, keeps `{}` after a task', () => {
    const input = lines(
      'component c(a: float) {}',
      'pipeline "p" (x: float = 1.0,) {',
      '  if ((x > 1e3)) and not (x == -0.0) {',
      '   c(a: x){}',
      '   t = c(x,, ) after c { retries: 2, timeout: "1h", }',
      '  }',
      '  for i in [1.50, 2,] parallelism 2 { c(i) }',
      '}',
    );
    expect(fmt(input)).toBe(
      lines(
        'component c(a: float) {}',
        '',
        'pipeline "p" (x: float = 1.0) {',
        '  if ((x > 1e3)) and not (x == -0.0) {',
        '    c(a: x) {}',
        '    t = c(x) after c {',
        '      retries: 2',
        '      timeout: "1h"',
        '    }',
        '  }',
        '  for i in [1.50, 2] parallelism 2 {',
        '    c(i)',
        '  }',
        '}',
      ),
    );
  });

  it('prints a second description or code block, which the tree drops after reporting it, where it stands', () => {
    const input = lines('component c() {', '"""one"""', '    """two"""', '```python', 'return 1', '```', '  ```python', '  return 2', '  ```', '}', 'pipeline "p" () {', '  if true {', '   """nested"""', '   c()', '  }', '}');
    expect(fmt(input)).toBe(
      lines('component c() {', '  """one"""', '  """two"""', '  ```python', '  return 1', '  ```', '  ```python', '  return 2', '  ```', '}', '', 'pipeline "p" () {', '  if true {', '    """nested"""', '    c()', '  }', '}'),
    );
  });
});

describe('fmt: refusals and checks', () => {
  it('returns no text and the syntax errors for a file that does not parse', () => {
    for (const text of ['pipeline "p" ( {\n  add(1, 2\n}\n', 'component f() {\n  ```python\n  return 1\n}\n', 'pipeline "p" () { x = "open }\n']) {
      const result = formatSource(new SourceFile('bad.kfp', text));
      expect(result.text).toBeUndefined();
      expect(result.diagnostics.length).toBeGreaterThan(0);
      expect(result.diagnostics.every((d) => d.severity === 'error' && d.code.startsWith('KFP1'))).toBe(true);
      expect(formatCheck(new SourceFile('bad.kfp', text))).toBe(false);
    }
  });

  it('formatCheck tells canonical text from the rest', () => {
    const messy = 'pipeline "p" () {\n    f( 1 )\n}\n';
    expect(formatCheck(new SourceFile('t.kfp', messy))).toBe(false);
    expect(formatCheck(new SourceFile('t.kfp', fmt(messy)))).toBe(true);
    expect(formatCheck(new SourceFile('t.kfp', 'pipeline "p" () {\n  f(1)\n}'))).toBe(false);
  });
});
