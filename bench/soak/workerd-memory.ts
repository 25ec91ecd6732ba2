import { readdirSync, readFileSync } from 'node:fs';

/**
 * Resident memory of the relay process: the workerd processes that descend from this one (wrangler's
 * test harness runs the Worker in a workerd child), read from /proc. Linux only; elsewhere it reports
 * nothing rather than guessing.
 */
const parentOf = (pid: number): number | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after its closing paren are fixed.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[1]);
  } catch {
    return undefined;
  }
};

const commandOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

const rssKiB = (pid: number): number => {
  try {
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? 0 : Number(match[1]);
  } catch {
    return 0;
  }
};

const descendsFrom = (pid: number, ancestor: number): boolean => {
  for (let current: number | undefined = pid, hops = 0; current !== undefined && current > 1 && hops < 16; hops++) {
    if (current === ancestor) return true;
    current = parentOf(current);
  }
  return false;
};

export interface RelayMemory {
  pids: number[];
  rssMiB: number;
  /** Per process, MiB (the harness may run more than one workerd). */
  perPid: Record<number, number>;
}

export const relayMemory = (): RelayMemory => {
  let pids: number[] = [];
  try {
    pids = readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => commandOf(pid) === 'workerd' && descendsFrom(pid, process.pid));
  } catch {
    pids = [];
  }
  const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;
  const perPid = Object.fromEntries(pids.map((pid) => [pid, mib(rssKiB(pid))]));
  return { pids, rssMiB: mib(pids.reduce((sum, pid) => sum + rssKiB(pid), 0)), perPid };
};
