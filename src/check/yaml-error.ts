/**
 * The first line of a YAML reader's error, as a user reads it. The `yaml` package builds its
 * tree by recursion and reports a file nested thousands deep (`[[[[…`, `{a: {a: …`) as an error
 * at the place its stack ran out, with the message "Maximum call stack size exceeded", which
 * reads like a crash of kfpdsl: it is said for what it is.
 */
export function yamlErrorMessage(message: string): string {
  const first = message.split('\n')[0]!;
  return /Maximum call stack size exceeded|too much recursion/i.test(first) ? 'nested too deeply to read (no component or pipeline nests this deep)' : first;
}
