#!/usr/bin/env node
// Writes the TextMate grammar of the VS Code extension, editors/vscode/syntaxes/kfp.tmLanguage.json,
// from the language's own definitions, so that the highlighting knows exactly the words the
// compiler knows:
// - the keywords, and the patterns of identifiers, numbers and comments: the lexer's tokens
//   (grammar/tokens.ts);
// - the type names: src/check/types.ts;
// - the run placeholders (`workflow.uid`, `run.id`, …): src/check/argo-placeholders.ts.
// The rules' structure follows grammar/parser.ts (the productions named in each comment below).
// Every keyword must be given a scope here: a keyword added to the lexer without one stops
// `npm run generate`, instead of going unhighlighted.
//
//   node scripts/gen-tmgrammar.mjs            rewrite the grammar
//   node scripts/gen-tmgrammar.mjs --check    exit 1 if it differs
//
// The sources are TypeScript: esbuild (already a dev dependency, for the bundle) bundles them in
// memory. test/vscode-grammar.test.ts checks that the committed grammar is what this makes.

import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const GRAMMAR = 'editors/vscode/syntaxes/kfp.tmLanguage.json';

/** The scope of each keyword token, by the token's name in grammar/tokens.ts. */
export const KEYWORD_SCOPES = {
  Component: 'storage.type.component.kfp',
  Pipeline: 'storage.type.pipeline.kfp',
  Import: 'keyword.control.import.kfp',
  As: 'keyword.control.import.as.kfp',
  After: 'keyword.control.after.kfp',
  If: 'keyword.control.conditional.if.kfp',
  Elif: 'keyword.control.conditional.elif.kfp',
  Else: 'keyword.control.conditional.else.kfp',
  For: 'keyword.control.loop.for.kfp',
  In: 'keyword.control.loop.in.kfp',
  Finally: 'keyword.control.finally.kfp',
  And: 'keyword.operator.logical.and.kfp',
  Or: 'keyword.operator.logical.or.kfp',
  Not: 'keyword.operator.logical.not.kfp',
  True: 'constant.language.boolean.true.kfp',
  False: 'constant.language.boolean.false.kfp',
  Null: 'constant.language.null.kfp',
};

/** The language's words and token patterns, read from the TypeScript sources. */
export async function loadLexicon(root = repoRoot) {
  const { build } = await import('esbuild');
  const entry = [
    "export { keywords, Identifier, IntLiteral, FloatLiteral } from './grammar/tokens.ts';",
    "export { OUTPUT_TYPES } from './src/check/types.ts';",
    "export { WORKFLOW_VALUES } from './src/check/argo-placeholders.ts';",
  ].join('\n');
  const out = await build({ stdin: { contents: entry, resolveDir: root, loader: 'ts' }, bundle: true, write: false, format: 'esm', platform: 'node', logLevel: 'warning' });
  const m = await import(`data:text/javascript;base64,${Buffer.from(out.outputFiles[0].text).toString('base64')}`);
  return {
    keywords: m.keywords.map((t) => ({ name: t.name, word: t.PATTERN.source })),
    identifier: m.Identifier.PATTERN.source,
    int: m.IntLiteral.PATTERN.source,
    float: m.FloatLiteral.PATTERN.source,
    types: [...m.OUTPUT_TYPES],
    placeholders: Object.fromEntries(Object.entries(m.WORKFLOW_VALUES).map(([head, fields]) => [head, Object.keys(fields)])),
  };
}

/** The grammar (an object) for a lexicon. */
export function tmGrammar(lex) {
  const missing = lex.keywords.filter((k) => !KEYWORD_SCOPES[k.name]).map((k) => k.name);
  if (missing.length) throw new Error(`scripts/gen-tmgrammar.mjs: no scope for the keyword token(s) ${missing.join(', ')}: add them to KEYWORD_SCOPES`);
  const stale = Object.keys(KEYWORD_SCOPES).filter((n) => !lex.keywords.some((k) => k.name === n));
  if (stale.length) throw new Error(`scripts/gen-tmgrammar.mjs: KEYWORD_SCOPES names ${stale.join(', ')}, which grammar/tokens.ts no longer has`);
  const word = (name) => lex.keywords.find((k) => k.name === name).word;
  // A keyword is a whole word: the lexer's longer_alt keeps `forward` one identifier.
  const kw = (name) => `(?<![A-Za-z0-9_])${word(name)}(?![A-Za-z0-9_])`;
  const keywordRule = (name) => ({ match: kw(name), name: KEYWORD_SCOPES[name] });
  const ID = lex.identifier;
  const ident = `(?<![A-Za-z0-9_])${ID}`;
  const types = `(?<![A-Za-z0-9_])(?:${lex.types.join('|')})(?![A-Za-z0-9_])`;
  // A declaration keyword at the start of a line ends whatever was left open before it (a
  // half-typed component without its `}`), so that one missing brace does not spoil the file.
  const nextDecl = `(?=^\\s*(?:${word('Component')}|${word('Pipeline')}|${word('Import')})(?![A-Za-z0-9_]))`;
  const closes = (close) => `${close}|${nextDecl}`;
  // One string on one line: the lexer's StringLiteral (JSON escapes are decoded later).
  const stringBody = '(?:[^"\\\\\\n\\r]|\\\\[^\\n\\r])*';
  const stringCaptures = {
    1: { name: 'punctuation.definition.string.begin.kfp' },
    2: { patterns: [{ include: '#string-escape' }] },
    3: { name: 'punctuation.definition.string.end.kfp' },
  };
  const quoted = (extra) => ({
    match: `(")(${stringBody})(")`,
    name: extra ? `string.quoted.double.kfp ${extra}` : 'string.quoted.double.kfp',
    captures: stringCaptures,
  });

  return {
    name: 'kfp',
    scopeName: 'source.kfp',
    comment: 'Generated by scripts/gen-tmgrammar.mjs from grammar/tokens.ts, src/check/types.ts and src/check/argo-placeholders.ts: edit the script and run npm run generate.',
    fileTypes: ['kfp'],
    // program : (importDecl | componentDecl | pipelineDecl)*   (anything else still highlights as what it is)
    patterns: [{ include: '#comment' }, { include: '#import' }, { include: '#component' }, { include: '#pipeline' }, { include: '#expression' }],
    repository: {
      comment: {
        match: '(#).*$',
        name: 'comment.line.number-sign.kfp',
        captures: { 1: { name: 'punctuation.definition.comment.kfp' } },
      },
      // importDecl : "import" String ("as" Identifier)?
      import: {
        match: `(${kw('Import')})(?:\\s*(")(${stringBody})(")(?:\\s*(${kw('As')})(?:\\s*(${ID}))?)?)?`,
        name: 'meta.import.kfp',
        captures: {
          1: { name: KEYWORD_SCOPES.Import },
          2: { name: 'string.quoted.double.kfp punctuation.definition.string.begin.kfp' },
          3: { name: 'string.quoted.double.kfp meta.import.path.kfp', patterns: [{ include: '#string-escape' }] },
          4: { name: 'string.quoted.double.kfp punctuation.definition.string.end.kfp' },
          5: { name: KEYWORD_SCOPES.As },
          6: { name: 'entity.name.namespace.kfp' },
        },
      },
      // componentDecl : "component" Identifier "(" paramList? ")" ("->" outputSpec)? "{" componentItem* "}"
      component: {
        begin: `(${kw('Component')})(?:\\s+(${ID}))?`,
        beginCaptures: { 1: { name: KEYWORD_SCOPES.Component }, 2: { name: 'entity.name.function.component.kfp' } },
        end: closes('(?<=\\})'),
        name: 'meta.component.kfp',
        patterns: [{ include: '#comment' }, { include: '#parameters' }, { include: '#output-spec' }, { include: '#component-body' }, { include: '#expression' }],
      },
      // outputSpec : Identifier | "(" paramList? ")"   (the parenthesised form is #parameters)
      'output-spec': {
        match: `(->)(?:\\s*(?:(${types})|(${ident})))?`,
        captures: { 1: { name: 'keyword.operator.arrow.kfp' }, 2: { name: 'support.type.primitive.kfp' }, 3: { name: 'entity.name.type.kfp' } },
      },
      // componentItem : TripleString | Fence | setting
      'component-body': {
        begin: '\\{',
        beginCaptures: { 0: { name: 'punctuation.section.block.begin.kfp' } },
        end: closes('\\}'),
        endCaptures: { 0: { name: 'punctuation.section.block.end.kfp' } },
        name: 'meta.block.component.kfp',
        patterns: [{ include: '#comment' }, { include: '#description' }, { include: '#fence' }, { include: '#setting' }, { include: '#expression' }],
      },
      // paramList : param ("," param)* ","?     param : Identifier ":" Identifier ("=" expr)?
      parameters: {
        begin: '\\(',
        beginCaptures: { 0: { name: 'punctuation.section.parameters.begin.kfp' } },
        end: closes('\\)'),
        endCaptures: { 0: { name: 'punctuation.section.parameters.end.kfp' } },
        name: 'meta.parameters.kfp',
        patterns: [
          { include: '#comment' },
          {
            match: `(${ident})\\s*(:)(?:\\s*(?:(${types})|(${ident})))?`,
            captures: {
              1: { name: 'variable.parameter.kfp' },
              2: { name: 'punctuation.separator.colon.kfp' },
              3: { name: 'support.type.primitive.kfp' },
              4: { name: 'entity.name.type.kfp' },
            },
          },
          { include: '#expression' },
        ],
      },
      // pipelineDecl : "pipeline" Identifier? String "(" paramList? ")" ("->" outputSpec)? block
      // (the Identifier is the name other pipelines call it by: a function's name, like the String)
      pipeline: {
        begin: kw('Pipeline'),
        beginCaptures: { 0: { name: KEYWORD_SCOPES.Pipeline } },
        end: closes('(?<=\\})'),
        name: 'meta.pipeline.kfp',
        patterns: [{ include: '#comment' }, { match: `\\G\\s+(${ident})(?=\\s*")`, captures: { 1: { name: 'entity.name.function.pipeline.kfp' } } }, quoted('entity.name.function.pipeline.kfp'), { include: '#parameters' }, { include: '#block' }, { include: '#expression' }],
      },
      // block : "{" TripleString? statement* "}"; also a task's settingsBlock : "{" (setting ","?)* "}",
      // whose settings are statements too.
      block: {
        begin: '\\{',
        beginCaptures: { 0: { name: 'punctuation.section.block.begin.kfp' } },
        end: closes('\\}'),
        endCaptures: { 0: { name: 'punctuation.section.block.end.kfp' } },
        name: 'meta.block.kfp',
        patterns: [{ include: '#statement' }],
      },
      // statement : ifStmt | forStmt | finallyStmt | taskStmt | setting
      statement: {
        patterns: [
          { include: '#comment' },
          { include: '#description' },
          { include: '#for' },
          { include: '#setting' },
          // taskStmt : (Identifier "=")? call ("after" Identifier ("," Identifier)*)? settingsBlock?
          {
            match: `(${ident})\\s*(=)(?!=)`,
            captures: { 1: { name: 'entity.name.variable.task.kfp' }, 2: { name: 'keyword.operator.assignment.kfp' } },
          },
          { include: '#block' },
          { include: '#expression' },
        ],
      },
      // forStmt : "for" Identifier "in" expr ("parallelism" Int)? block   (`parallelism` is a word, not a keyword)
      for: {
        begin: `(${kw('For')})(?:\\s+(${ID}))?`,
        beginCaptures: { 1: { name: KEYWORD_SCOPES.For }, 2: { name: 'variable.other.loop.kfp' } },
        end: closes('(?=\\{|\\})'),
        name: 'meta.for.kfp',
        patterns: [
          { match: `(?<![A-Za-z0-9_])parallelism(?=\\s*${lex.int})`, name: 'keyword.control.loop.parallelism.kfp' },
          { include: '#expression' },
        ],
      },
      // setting : Identifier ":" expr (".." expr)?   (ends at the end of its line, a `,` or the block's `}`)
      setting: {
        begin: `(${ident})\\s*(:)`,
        beginCaptures: { 1: { name: 'support.type.property-name.setting.kfp' }, 2: { name: 'punctuation.separator.key-value.kfp' } },
        // A second `name:` on the line is the next setting (`{ image: "x" command: [...] }`): a
        // dictionary key or a named argument would be inside its own brackets.
        end: `$|(?=[,}])|(?=${ident}\\s*:)`,
        name: 'meta.setting.kfp',
        patterns: [{ include: '#expression' }],
      },
      description: {
        begin: '"""',
        beginCaptures: { 0: { name: 'punctuation.definition.string.begin.kfp' } },
        end: '"""',
        endCaptures: { 0: { name: 'punctuation.definition.string.end.kfp' } },
        name: 'string.quoted.docstring.kfp',
      },
      // A fenced code block (the lexer's Fence): ``` and an optional language on a line of their
      // own, up to a line that is only ```. Its body is Python (no language means Python); the
      // body is read line by line (`while`), so that a Python string left open cannot run past
      // the closing fence.
      fence: {
        patterns: [
          {
            begin: '(?<!`)(```)(python)?[ \\t]*$',
            beginCaptures: { 1: { name: 'punctuation.definition.fence.begin.kfp' }, 2: { name: 'fenced_code.block.language.kfp' } },
            end: '^\\s*(```)\\s*$',
            endCaptures: { 1: { name: 'punctuation.definition.fence.end.kfp' } },
            name: 'meta.fence.python.kfp',
            patterns: [
              {
                begin: '(^|\\G)(?!\\s*```\\s*$)',
                while: '^(?!\\s*```\\s*$)',
                contentName: 'meta.embedded.block.python source.python',
                patterns: [{ include: 'source.python' }],
              },
            ],
          },
          {
            // Only Python runs in a component (KFP2xxx "code blocks must be Python"): the body is left plain.
            begin: '(?<!`)(```)([A-Za-z0-9_+-]+)[ \\t]*$',
            beginCaptures: { 1: { name: 'punctuation.definition.fence.begin.kfp' }, 2: { name: 'invalid.illegal.fence-language.kfp' } },
            end: '^\\s*(```)\\s*$',
            endCaptures: { 1: { name: 'punctuation.definition.fence.end.kfp' } },
            name: 'meta.fence.kfp',
            contentName: 'markup.raw.block.kfp',
          },
        ],
      },
      expression: {
        patterns: [
          { include: '#comment' },
          { include: '#fence' },
          { include: '#triple-string' },
          { include: '#string' },
          { include: '#number' },
          { include: '#keyword' },
          { include: '#call' },
          { include: '#placeholder' },
          { include: '#reference' },
          { include: '#list' },
          { include: '#dict' },
          { include: '#parens' },
          { include: '#operator' },
          { include: '#punctuation' },
          { include: '#illegal' },
        ],
      },
      'triple-string': {
        begin: '"""',
        beginCaptures: { 0: { name: 'punctuation.definition.string.begin.kfp' } },
        end: '"""',
        endCaptures: { 0: { name: 'punctuation.definition.string.end.kfp' } },
        name: 'string.quoted.triple.kfp',
      },
      string: {
        patterns: [
          quoted(),
          {
            // The lexer's UnterminatedString: a string runs to the end of its line at most.
            match: `(")(${stringBody})$`,
            name: 'string.quoted.double.kfp invalid.illegal.unterminated-string.kfp',
            captures: { 1: { name: 'punctuation.definition.string.begin.kfp' }, 2: { patterns: [{ include: '#string-escape' }] } },
          },
        ],
      },
      // JSON's escapes, which are what a string may hold (src/syntax/cst-to-ast.ts decodes them with JSON.parse).
      'string-escape': {
        patterns: [
          { match: '\\\\(?:["\\\\/bfnrt]|u[0-9A-Fa-f]{4})', name: 'constant.character.escape.kfp' },
          { match: '\\\\.', name: 'invalid.illegal.escape.kfp' },
        ],
      },
      number: {
        patterns: [
          { match: `(?<![A-Za-z0-9_])${lex.float}`, name: 'constant.numeric.float.kfp' },
          { match: `(?<![A-Za-z0-9_])${lex.int}`, name: 'constant.numeric.integer.kfp' },
        ],
      },
      // Every keyword: the declarations and statements are matched by their own rules first; here
      // a keyword is highlighted wherever else it stands (a half-typed line, a misplaced word).
      keyword: { patterns: lex.keywords.map((k) => keywordRule(k.name)) },
      // call : (Identifier ".")? Identifier "(" argList? ")"     arg : (Identifier ":")? expr
      call: {
        begin: `(?:(${ident})\\s*(\\.)\\s*)?(${ident})\\s*(\\()`,
        beginCaptures: {
          1: { name: 'entity.name.namespace.kfp' },
          2: { name: 'punctuation.accessor.dot.kfp' },
          3: { name: 'entity.name.function.call.kfp' },
          4: { name: 'punctuation.section.arguments.begin.kfp' },
        },
        end: closes('\\)'),
        endCaptures: { 0: { name: 'punctuation.section.arguments.end.kfp' } },
        name: 'meta.function-call.kfp',
        patterns: [
          { match: `(${ident})\\s*(:)`, captures: { 1: { name: 'variable.parameter.argument.kfp' }, 2: { name: 'punctuation.separator.colon.kfp' } } },
          { include: '#expression' },
        ],
      },
      // The run's identity as values (README "Run placeholders"); a parameter or task of that name
      // shadows them, which only the checker can see.
      placeholder: {
        patterns: Object.entries(lex.placeholders).map(([head, fields]) => ({
          match: `(?<![A-Za-z0-9_.])(${head})\\s*(\\.)\\s*(${fields.join('|')})(?![A-Za-z0-9_])`,
          name: 'meta.placeholder.kfp',
          captures: { 1: { name: 'variable.language.placeholder.kfp' }, 2: { name: 'punctuation.accessor.dot.kfp' }, 3: { name: 'variable.language.placeholder.kfp' } },
        })),
      },
      // reference : Identifier ("." Identifier)*   (a parameter, a task, a loop item; `t.out` an output)
      reference: {
        patterns: [
          { match: `(\\.)\\s*(${ID})`, captures: { 1: { name: 'punctuation.accessor.dot.kfp' }, 2: { name: 'variable.other.property.kfp' } } },
          { match: ident, name: 'variable.other.readwrite.kfp' },
        ],
      },
      // list : "[" (expr ("," expr)* ","?)? "]"
      list: {
        begin: '\\[',
        beginCaptures: { 0: { name: 'punctuation.section.brackets.begin.kfp' } },
        end: closes('\\]'),
        endCaptures: { 0: { name: 'punctuation.section.brackets.end.kfp' } },
        name: 'meta.list.kfp',
        patterns: [{ include: '#expression' }],
      },
      // dict : "{" (dictEntry ("," dictEntry)* ","?)? "}"     dictEntry : (Identifier | String) ":" expr
      dict: {
        begin: '\\{',
        beginCaptures: { 0: { name: 'punctuation.section.mapping.begin.kfp' } },
        end: closes('\\}'),
        endCaptures: { 0: { name: 'punctuation.section.mapping.end.kfp' } },
        name: 'meta.mapping.kfp',
        patterns: [
          { include: '#comment' },
          { match: `(${ident})\\s*(:)`, captures: { 1: { name: 'support.type.property-name.key.kfp' }, 2: { name: 'punctuation.separator.key-value.kfp' } } },
          {
            match: `(")(${stringBody})(")\\s*(:)`,
            captures: {
              1: { name: 'string.quoted.double.kfp support.type.property-name.key.kfp punctuation.definition.string.begin.kfp' },
              2: { name: 'string.quoted.double.kfp support.type.property-name.key.kfp', patterns: [{ include: '#string-escape' }] },
              3: { name: 'string.quoted.double.kfp support.type.property-name.key.kfp punctuation.definition.string.end.kfp' },
              4: { name: 'punctuation.separator.key-value.kfp' },
            },
          },
          { include: '#expression' },
        ],
      },
      // "(" expr ")"
      parens: {
        begin: '\\(',
        beginCaptures: { 0: { name: 'punctuation.section.parens.begin.kfp' } },
        end: closes('\\)'),
        endCaptures: { 0: { name: 'punctuation.section.parens.end.kfp' } },
        name: 'meta.group.kfp',
        patterns: [{ include: '#expression' }],
      },
      operator: {
        patterns: [
          { match: '->', name: 'keyword.operator.arrow.kfp' },
          { match: '\\.\\.', name: 'keyword.operator.range.kfp' },
          { match: '==|!=|<=|>=|<|>', name: 'keyword.operator.comparison.kfp' },
          { match: '=', name: 'keyword.operator.assignment.kfp' },
        ],
      },
      punctuation: {
        patterns: [
          { match: ',', name: 'punctuation.separator.comma.kfp' },
          { match: ':', name: 'punctuation.separator.colon.kfp' },
          { match: '\\.', name: 'punctuation.accessor.dot.kfp' },
        ],
      },
      // What the lexer has no token for (or a closing bracket with nothing open), so that a typo shows before the check runs.
      illegal: {
        patterns: [
          { match: '```.*$', name: 'invalid.illegal.fence.kfp' },
          { match: '[)\\]}]', name: 'invalid.illegal.unmatched-bracket.kfp' },
          // The lexer's white space is \\s and U+00A0, U+FEFF, U+2028, U+2029.
          { match: '[^\\s\\x{00a0}\\x{feff}\\x{2028}\\x{2029}A-Za-z0-9_"#{}\\[\\]().,:=<>]', name: 'invalid.illegal.character.kfp' },
        ],
      },
    },
  };
}

/** The grammar file's text. */
export async function generateTmGrammar(root = repoRoot) {
  return `${JSON.stringify(tmGrammar(await loadLexicon(root)), null, 2)}\n`;
}

async function main() {
  const text = await generateTmGrammar(repoRoot);
  const path = resolve(repoRoot, GRAMMAR);
  if (process.argv.includes('--check')) {
    const onDisk = readFileSync(path, 'utf8');
    if (onDisk !== text) {
      console.error(`${GRAMMAR} differs from what scripts/gen-tmgrammar.mjs makes: run npm run generate`);
      process.exit(1);
    }
    return;
  }
  writeFileSync(path, text);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
