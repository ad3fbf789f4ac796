#!/usr/bin/env node
// The installed command: runs the bundled CLI (dist/kfpdsl.cjs, built by `npm ci` or
// `npm run bundle`) through a V8 code cache (dist/kfpdsl.cache) when one matches this
// Node, which saves most of the compile time of a short run. Without a usable cache it
// simply compiles the bundle.
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import vm from 'node:vm';

const bundle = new URL('../dist/kfpdsl.cjs', import.meta.url).pathname;
const cachePath = new URL('../dist/kfpdsl.cache', import.meta.url).pathname;
const source = readFileSync(bundle, 'utf8');
let cachedData;
try {
  cachedData = readFileSync(cachePath);
} catch {
  cachedData = undefined;
}
const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  cachedData,
});
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, new URL('.', `file://${bundle}`).pathname);

const target = process.env.KFPDSL_WRITE_CODE_CACHE;
if (target) process.on('exit', () => writeFileSync(target, script.createCachedData()));
