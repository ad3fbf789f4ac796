/**
 * A vitest reporter that lists every skipped test at the end of the run, grouped by the reason
 * its title gives (test/support/requirements.ts) or `ctx.skip(reason)` noted: the default
 * reporter prints only a count. A skipped test with no reason is listed as such, to be fixed.
 */
import type { Reporter, TestModule } from 'vitest/node';
import { SKIPPED_MARK } from './requirements.js';

export default class SkippedReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const byReason = new Map<string, string[]>();
    for (const mod of modules) {
      for (const test of mod.children.allTests()) {
        const result = test.result();
        if (result.state !== 'skipped' || test.options.mode === 'todo') continue;
        const name = test.fullName;
        const at = name.indexOf(SKIPPED_MARK);
        const reason = result.note ?? (at >= 0 ? name.slice(at + SKIPPED_MARK.length, name.indexOf(']', at)) : 'NO REASON GIVEN (say why: test/support/requirements.ts)');
        const list = byReason.get(reason) ?? [];
        list.push(`${mod.relativeModuleId} > ${at >= 0 ? name.slice(0, at) + name.slice(name.indexOf(']', at) + 1) : name}`);
        byReason.set(reason, list);
      }
    }
    if (byReason.size === 0) return;
    const total = [...byReason.values()].reduce((n, l) => n + l.length, 0);
    const lines = [`\n${total} skipped test(s):`];
    for (const [reason, tests] of byReason) {
      lines.push(`  ${tests.length} because ${reason}:`);
      for (const t of tests.slice(0, 5)) lines.push(`    ${t}`);
      if (tests.length > 5) lines.push(`    … and ${tests.length - 5} more`);
    }
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
