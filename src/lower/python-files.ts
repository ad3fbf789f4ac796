/** kfp's container paths for file inputs and outputs (kfp/components/_components.py). */

/** kfp's _sanitize_file_name. */
export function sanitizeFileName(name: string): string {
  return name.replace(/[^-_.0-9a-zA-Z]+/g, '_');
}

export function inputPath(input: string): string {
  return `/tmp/inputs/${sanitizeFileName(input)}/data`;
}

export function outputPath(output: string): string {
  return `/tmp/outputs/${sanitizeFileName(output)}/data`;
}
