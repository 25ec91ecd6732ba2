// CPU time of a whole process (every thread), read from Linux's /proc: the scheduler's own
// nanosecond count (`schedstat`), user and kernel time together, so a workerd's cost per request
// can be read while other processes share the cores. Undefined where /proc is missing.
import { readdirSync, readFileSync } from 'node:fs';

/** CPU nanoseconds `pid` has run so far, summed over its threads. */
export const cpuNsOf = (pid) => {
  try {
    let total = 0;
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // A thread that ended between the listing and the read.
      }
    }
    return total;
  } catch {
    return undefined;
  }
};

/** Pids of this process's children whose command name starts with `name` (workerd for Miniflare and the harness). */
export const childPids = (name, parent = process.pid) => {
  const out = [];
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // comm is parenthesised and may hold spaces; ppid is the second field after it.
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const ppid = Number(stat.slice(close + 2).split(' ')[1]);
      if (ppid === parent && comm.startsWith(name)) out.push(Number(entry));
    } catch {
      // The process ended.
    }
  }
  return out;
};

/** Runs `start` and returns its result with the pids of the `name` children it spawned. */
export const withNewChildren = async (name, start) => {
  const before = new Set(childPids(name));
  const result = await start();
  return { result, pids: childPids(name).filter((pid) => !before.has(pid)) };
};
