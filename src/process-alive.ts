/**
 * Whether a process id names a live process: signal 0 checks without sending anything. EPERM
 * means it exists as another user's. The id may have been reused by another process since;
 * callers say what that costs them.
 */
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
