/**
 * Writing HTML and SVG text safely: every piece of user text (task names, conditions, log
 * lines, paths) goes through `esc`; JSON embedded in a page goes through `scriptJson`. The pages
 * are built from strings rather than Handlebars templates because the project's templates are
 * precompiled for YAML (no HTML escaping, YAML helpers only, scripts/hbs-precompile.mjs).
 */

const ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value: the five characters HTML and XML read are entities; controls other than tab and line breaks become spaces (XML forbids them). */
export function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ENTITIES[c]!).replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, ' ');
}

/** JSON inside `<script type="application/json">`: `<` escaped, so no `</script>` ends it early. */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** Display width in columns of a monospace font: wide (CJK) characters take two. */
export function columns(s: string): number {
  let w = 0;
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    w += (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) ? 2 : 1;
  }
  return w;
}

/** A number as SVG writes it: at most one decimal, so that output is the same everywhere. */
export function num(n: number): string {
  const r = Math.round(n * 10) / 10;
  return Object.is(r, -0) ? '0' : String(r);
}
