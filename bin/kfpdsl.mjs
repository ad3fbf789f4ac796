#!/usr/bin/env node
// The installed command: the bundled CLI (dist/kfpdsl.mjs, built by `npm ci` / `npm run bundle`).
import '../dist/kfpdsl.mjs';
