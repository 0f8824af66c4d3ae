// Server CPU and memory from /proc, sampled by the bench runner (no hooks in the server).
// Every function takes one pid or a list of them (a cluster's primary and workers) and sums.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux
const list = (pids) => (Array.isArray(pids) ? pids : [pids]);

function statFields(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** utime + stime of the processes (all their threads), in seconds. */
export function cpuSeconds(pids) {
  let ticks = 0;
  for (const pid of list(pids)) {
    const fields = statFields(pid);
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** VmRSS and VmHWM (peak) in MB. */
export function memory(pids) {
  let rssMb = 0;
  let hwmMb = 0;
  for (const pid of list(pids)) {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key) => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    rssMb += kb('VmRSS') / 1024;
    hwmMb += kb('VmHWM') / 1024;
  }
  return { rssMb, hwmMb };
}

/** Resets the peak-RSS mark so VmHWM covers only what follows (Linux clear_refs "5"). */
export function resetPeak(pids) {
  try {
    for (const pid of list(pids)) writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The process and all its descendants (a cluster primary and its workers). */
export function processTree(root) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statFields(entry)[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {} // gone meanwhile
  }
  const tree = [];
  const walk = (pid) => {
    tree.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return tree;
}
