/**
 * The fence checks case by case (src/check/python/problems.ts), beside the fixtures in
 * test/fixtures/errors/KFP600*: what each one reports and, as much, what it must not.
 */
import { describe, expect, it } from 'vitest';
import { fenceProblems, type FenceInterface } from '../src/check/python/problems.js';
import { pythonMinorOf } from '../src/check/python/check-fence.js';
import { LATEST_MINOR } from '../src/check/python/pyright.js';

const base: FenceInterface = { componentName: 'comp', params: ['n'], valueOutputs: [{ name: 'Output', type: 'int' }], programGlobals: ['argparse'], minor: 11 };
const codes = (body: string, iface: Partial<FenceInterface> = {}) => fenceProblems(body, { ...base, ...iface }).problems.map((p) => p.code);

describe('KFP6002 pasted def header', () => {
  it('reports a def named like the component that nothing calls', () => {
    expect(codes('def comp(n):\n    return n + 1\n')).toEqual(['PastedDefHeader']);
  });
  it('reports an uncalled def followed by nothing else, whatever its name', () => {
    expect(codes('import math\ndef other(n):\n    return math.sqrt(n)\n')).toEqual(['PastedDefHeader']);
  });
  it('does not report helpers the code calls', () => {
    expect(codes('def helper(x):\n    return x * 2\nreturn helper(n)\n')).toEqual([]);
    expect(codes('def comp(x):\n    return x\nreturn comp(n)\n')).toEqual([]);
  });
});

describe('KFP6003 / KFP6004 returns', () => {
  it('paths that end for good are not falling off the end', () => {
    for (const body of [
      'while True:\n    if n:\n        return n\n',
      'try:\n    return int(n)\nexcept ValueError:\n    raise\n',
      'try:\n    x = n\nfinally:\n    return 1\n',
      'if n > 0:\n    return 1\nelif n < 0:\n    return -1\nelse:\n    return 0\n',
      'match n:\n    case 0:\n        return 0\n    case _:\n        return 1\n',
      'import sys\nif n:\n    return n\nsys.exit(1)\n',
      'for i in range(n):\n    if i:\n        break\nelse:\n    return 0\nreturn 1\n',
      'with open("f") as f:\n    return len(f.read())\n',
      'if n:\n    return n\nassert False, "unreachable"\n',
    ]) {
      expect(codes(body), body).toEqual([]);
    }
  });
  it('a loop with a break, or a while that can end, falls through', () => {
    expect(codes('while True:\n    if n:\n        break\n    return 1\n')).toEqual(['MissingReturn']);
    expect(codes('while n:\n    return 1\n')).toEqual(['MissingReturn']);
    expect(codes('match n:\n    case 0:\n        return 0\n')).toEqual(['MissingReturn']);
  });
  it('a nested function\'s return is not the component\'s', () => {
    expect(codes('def helper():\n    return 1\nhelper()\n')).toEqual(['NoReturnValue']);
    expect(codes('f = lambda: 1\nprint(f())\n')).toEqual(['NoReturnValue']);
  });
  it('generators and components without value outputs are left alone', () => {
    expect(codes('yield n\n')).toEqual([]);
    expect(codes('print(n)\n', { valueOutputs: [] })).toEqual([]);
  });
});

describe('KFP6005 undefined names', () => {
  it('knows every way a name is bound, in any block, before or after its use', () => {
    const body = [
      'print(late)',
      'late = 1',
      'import os.path, collections.abc as cabc',
      'from itertools import chain as ch, count',
      'def f(a, *args, b=1, **kw):',
      '    global g',
      '    g = a',
      'class K:',
      '    attr = 1',
      'with open("x") as (fa, fb), open("y") as fc:',
      '    pass',
      'for (i, j), *rest in []:',
      '    pass',
      'try:',
      '    pass',
      'except OSError as err:',
      '    print(err)',
      '[w for w in range(3) if (walrus := w)]',
      'match n:',
      '    case {"k": captured, **others}:',
      '        pass',
      '    case [first, *tail] if first:',
      '        pass',
      '    case K(attr=bound_attr) | K(attr=bound_attr):',
      '        pass',
      'del late',
      'ann: int',
      'print(os, cabc, ch, count, f, g, K, fa, fb, fc, i, j, rest, walrus, captured, others, first, tail, bound_attr, ann)',
      'return n',
    ].join('\n');
    expect(fenceProblems(body, base).problems).toEqual([]);
  });
  it('does not read attributes, keywords, annotations or string annotations', () => {
    expect(codes('x: Undefined1 = 1\ndef g(a: Undefined2) -> "Undefined3":\n    return a\nprint(n.real, dict(key=1))\nreturn g(x)\n')).toEqual([]);
  });
  it('reports each undefined name once, with a suggestion', () => {
    const r = fenceProblems('totl = n\nprint(total, total)\nreturn totl\n', base).problems;
    expect(r.map((p) => [p.code, p.message, p.hint])).toEqual([['UndefinedPythonName', 'name `total` is not defined', 'did you mean `totl`?']]);
  });
  it('`import *` turns the check off', () => {
    expect(codes('from math import *\nreturn floor(n)\n')).toEqual([]);
  });
  it('`json` is a program global only when an input is read with json.loads', () => {
    expect(codes('return len(json.dumps(n))\n')).toEqual(['UndefinedPythonName']);
    expect(codes('return len(json.dumps(n))\n', { programGlobals: ['argparse', 'json'] })).toEqual([]);
  });
  it('explains kfp\'s habits', () => {
    const hints = (body: string, iface: Partial<FenceInterface> = {}) => fenceProblems(body, { ...base, ...iface }).problems.map((p) => p.hint);
    expect(hints('open(data_path).read()\nreturn 1\n', { params: ['n', 'data'] })).toEqual(['the path is in `data`: kfpdsl names file inputs and outputs as declared, without kfp\'s `_path`']);
    expect(hints('print(Output)\nreturn 1\n')).toEqual(['`Output` is a value output, not a variable: `return` its value instead']);
  });
});

describe('the image decides the grammar', () => {
  it('reads the Python version of official python images only', () => {
    expect(pythonMinorOf('python:3.11')).toBe(11);
    expect(pythonMinorOf('python:3.9-slim-bookworm')).toBe(9);
    expect(pythonMinorOf('docker.io/library/python:3.12.4')).toBe(12);
    expect(pythonMinorOf('gcr.io/deeplearning/pytorch:2.1')).toBe(LATEST_MINOR);
  });
  it('newer syntax is an error under an older image', () => {
    expect(codes('return f"{"a"}"\n', { minor: 11 })).toEqual(['PythonSyntaxError']);
    expect(codes('return f"{"a"}"\n', { minor: 12, valueOutputs: [{ name: 'Output', type: 'str' }] })).toEqual([]);
    expect(codes('match n:\n    case _:\n        return 1\n', { minor: 9 })).toEqual(['PythonSyntaxError']);
  });
});
