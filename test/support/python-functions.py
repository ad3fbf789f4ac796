"""Python component functions taken out of other programs, for test/python-false-positives.test.ts.

Reads JSON {"programs": [{"origin", "source", "kind"}]} on stdin; prints JSON, one entry per
function: its name, parameters, body (dedented, as a .kfp fence would hold it), how many
values it returns by its annotation, and the names its program defines where it runs.
kind "v1": a kfp v1 program (component.yaml or compiled workflow): every top-level function
  not starting with `_`; its globals are the module names bound before the program calls it.
kind "v2": a kfp v2 pipeline module: each function decorated with `component`; its
  globals are what kfp v2's generated program imports (`from kfp.dsl import *`, `from
  typing import *`), approximated by the names the module imports from kfp and typing's
  __all__, plus the functions its decorator ships with it (`additional_funcs`).
"""
import ast
import json
import sys
import textwrap
import typing


def bound_names(stmts):
    names = set()
    for s in stmts:
        for node in ast.walk(s) if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) else [s]:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split('.')[0])
    return names


def returned_values(fn):
    ann = fn.returns
    if ann is None or (isinstance(ann, ast.Constant) and ann.value is None):
        return 0
    src = ast.unparse(ann)
    if 'NamedTuple' in src or src.startswith('Outputs') or src.startswith('typing.NamedTuple'):
        return 2
    return 1


def body_of(lines, fn):
    first = fn.body[0]
    start = first.lineno
    if hasattr(first, 'decorator_list') and first.decorator_list:
        start = first.decorator_list[0].lineno
    if start == fn.lineno:
        return None  # `def f(): return 1` on one line
    return textwrap.dedent('\n'.join(lines[start - 1:fn.end_lineno])) + '\n'


def calls_function(tree, name, target):
    """Does the module do `<target> = name(...)`?"""
    return any(isinstance(s, ast.Assign) and isinstance(s.value, ast.Call) and isinstance(s.value.func, ast.Name)
               and s.value.func.id == name and any(isinstance(t, ast.Name) and t.id == target for t in s.targets)
               for s in tree.body)


def params_of(fn):
    a = fn.args
    return [x.arg for x in a.posonlyargs + a.args + a.kwonlyargs] + [x.arg for x in (a.vararg, a.kwarg) if x]


def is_component(fn):
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        name = ast.unparse(target)
        if name.endswith('component') and 'container_component' not in name:
            return True
    return False


out = []
for p in json.load(sys.stdin)['programs']:
    try:
        tree = ast.parse(p['source'])
    except SyntaxError:
        continue
    lines = p['source'].split('\n')
    if p['kind'] == 'v1':
        fns = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and not s.name.startswith('_')]
    else:
        fns = [s for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef)) and is_component(s)]
        kfp_names = set()
        for s in tree.body:
            if isinstance(s, ast.ImportFrom) and (s.module or '').startswith('kfp'):
                kfp_names |= {a.asname or a.name for a in s.names}
        v2_globals = sorted(kfp_names | set(typing.__all__) | {'dsl', 'kfp'})
    for fn in fns:
        body = body_of(lines, fn)
        if body is None:
            continue
        if p['kind'] == 'v1':
            # Names bound at module level before the statement that calls the function.
            before = []
            for s in tree.body:
                calls = any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id == fn.name for n in ast.walk(s)) and s is not fn
                if calls:
                    break
                before.append(s)
            glob = sorted(bound_names(before))
        else:
            # `@dsl.component(additional_funcs=[f, g])` ships f and g beside the function.
            extra = {ast.unparse(e) for d in fn.decorator_list if isinstance(d, ast.Call)
                     for k in d.keywords if k.arg == 'additional_funcs' and isinstance(k.value, (ast.List, ast.Tuple))
                     for e in k.value.elts}
            glob = sorted(set(v2_globals) | extra)
        returns = returned_values(fn)
        if p['kind'] == 'v1':
            # kfp strips annotations from the function; its program lists one serializer per returned output.
            for s in tree.body:
                if isinstance(s, ast.Assign) and any(isinstance(t, ast.Name) and t.id == '_output_serializers' for t in s.targets) \
                        and isinstance(s.value, ast.List) and calls_function(tree, fn.name, '_outputs'):
                    returns = len(s.value.elts)
        out.append({
            'origin': p['origin'],
            'name': fn.name,
            'params': params_of(fn),
            'body': body,
            'returns': returns,
            'globals': glob,
        })
print(json.dumps(out))
