/** Node names, directory names and pod names. */
import { goJson } from './gojson.js';

/**
 * A file or directory name from a node id or a name in the spec: anything outside
 * `[A-Za-z0-9._-]` becomes `_`, and a name of dots only (or none) gets a `_` in front: `..`
 * would name the parent (a spec's parameter `..` wrote over its step's `inputs` directory, a
 * claim `..` was the run directory).
 */
export const sanitize = (s: string): string => {
  const name = s.replace(/[^A-Za-z0-9._-]/g, '_');
  return /^\.*$/.test(name) ? `_${name}` : name;
};

/** How Argo shows a loop item in a child's name: scalars as is, maps as sorted `k:v` pairs. */
export function itemLabel(item: unknown): string {
  if (item !== null && typeof item === 'object' && !Array.isArray(item)) {
    return Object.entries(item as Record<string, unknown>)
      .map(([k, v]) => `${k}:${scalarText(v)}`)
      .sort()
      .join(',');
  }
  return scalarText(item);
}

/** An item value as substituted for `{{item}}` / `{{item.key}}`: strings verbatim, the rest as JSON. */
export function scalarText(v: unknown): string {
  return typeof v === 'string' ? v : goJson(v);
}

/** Argo's v2 pod names: `<workflow>-<template>-<fnv32a(node name)>`, the prefix cut to fit 253 characters. */
export function podName(workflowName: string, template: string, nodeName: string): string {
  return `${`${workflowName}-${template}`.slice(0, 253 - 10 - 1)}-${fnv32a(nodeName)}`;
}

function fnv32a(s: string): number {
  let h = 0x811c9dc5;
  for (const byte of Buffer.from(s, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}
