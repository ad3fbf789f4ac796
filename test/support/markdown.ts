/** Fenced code blocks of a markdown file (README.md's snippets and configs, for the doc-tests). */

export interface Fence {
  /** 1-based line of the opening fence in the markdown file. */
  readonly line: number;
  /** The info string after the backticks: `kfp`, `kfp fragment`, `yaml`, … */
  readonly info: string;
  readonly text: string;
}

/** Every fenced code block of a markdown text (``` or longer; a fence closes on a line of exactly its own backticks). */
export function fencesOf(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(`{3,})([^`]*)$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l === open[1]);
    if (end < 0) throw new Error(`line ${i + 1}: the fence is never closed`);
    out.push({ line: i + 1, info: open[2]!.trim(), text: lines.slice(i + 1, end).join('\n') });
    i = end;
  }
  return out;
}
