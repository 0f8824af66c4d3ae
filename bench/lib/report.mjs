// The results as Markdown (bench/results/<date>.md) and as console tables.

const cell = (v) => (v === null || v === undefined ? '–' : String(v));

function resultRows(report) {
  return report.results.map((r) => [
    r.name,
    r.rps,
    r.latencyMs.p50,
    r.latencyMs.p99,
    r.latencyMs.max,
    r.errors + r.timeouts,
    r.non2xx,
    `${r.serverCpuPct}%`,
    r.peakRssMb,
  ]);
}
const RESULT_HEAD = [
  'scenario',
  'req/s',
  'p50 ms',
  'p99 ms',
  'max ms',
  'errors',
  'non-2xx',
  'server CPU',
  'peak RSS MB',
];
const TARGET_HEAD = ['target', 'measured', 'ratio', 'pass'];
const VIEW_HEAD = ['figure', 'measured', 'ratio'];
const viewRows = (report) => (report.sessionView ?? []).map((f) => [f.figure, f.measured, f.ratio]);
const targetRows = (report) =>
  report.targets.map((t) => [t.target, t.measured, t.ratio, t.pass === null ? 'n/a' : t.pass ? 'yes' : 'NO']);

function table(head, rows) {
  const line = (cells) => `| ${cells.map(cell).join(' | ')} |`;
  return [line(head), line(head.map(() => '---')), ...rows.map(line)].join('\n');
}

function clusterNote({ cluster: c }) {
  if (!c) return '';
  return `\nThe WORKERS=${c.workers} rows ran ${c.workers} server processes (cluster) on the same database; their CPU
and RSS are summed over the primary and the workers. Against one process: user.me ${c.meVsOneProcess}×,
auth.login ${c.loginVsOneProcess}× (the load generator shares the same ${c.workers} cores).`;
}

export function formatMarkdown(report) {
  const { machine: m, bcrypt: b, settings: s } = report;
  return `# Gatehouse benchmark, ${report.date.slice(0, 10)}

Machine: ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB RAM, Linux ${m.kernel}, Node ${m.node}.
Load average (1/5/15 min) before the run: ${m.loadAverageBefore.join(' / ')}, after: ${m.loadAverageAfter.join(' / ')}.
Database: ${m.database}. Server: production mode, one process (but the WORKERS rows), SESSION_CACHE=${s.sessionCache ?? 'unset'} (but the rows saying otherwise), LOG_LEVEL=${s.logLevel}, BCRYPT_COST=${s.bcryptCost}.
Load: autocannon over loopback from another process, ${s.scenarioSeconds} s per scenario (login and register ${s.scenarioSeconds + 2} s), 10 connections unless the scenario sets a rate.
Whole run: ${report.runSeconds} s.${
    // Only the load before counts: the run itself keeps every core busy.
    m.loadAverageBefore[0] > m.cores / 2
      ? '\n\n**The machine was busy with other work before this run (see the load averages); treat the figures as a lower bound.**'
      : ''
  }

bcrypt (bcryptjs, worker threads): one hash at cost ${b.cost} takes ${b.hashMs} ms; the limit of ${b.cores} cores is ${b.limitPerSecond}/s (cores × 1/hash time); all cores measured together: ${b.measuredAllCoresPerSecond}/s.
Idle RSS after start-up: ${report.idleRssMb} MB.

## Targets

${table(TARGET_HEAD, targetRows(report))}

## Session view (issue 18)

${table(VIEW_HEAD, viewRows(report))}

How to read these: docs/benchmarks.md, "Session view".

## Scenarios

${table(RESULT_HEAD, resultRows(report))}

Server CPU is utime + stime of the server process from /proc/<pid>/stat (100% = one core; the
hashing pool can take it to ${b.cores * 100}%); peak RSS is VmHWM, reset before each scenario.
The soak rows ran side by side for ${s.soakSeconds} s.${clusterNote(report)}
${
  report.queryPlans
    ? `\n## Query plans (EXPLAIN QUERY PLAN, 100k users)\n\n${table(
        ['statement', 'plan'],
        Object.entries(report.queryPlans),
      )}\n`
    : ''
}`;
}

export function printTables(report) {
  const pad = (rows, head) => {
    const all = [head, ...rows].map((r) => r.map(cell));
    const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
    for (const r of all) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  '));
  };
  console.log();
  pad(resultRows(report), RESULT_HEAD);
  console.log();
  pad(targetRows(report), TARGET_HEAD);
  console.log();
  pad(viewRows(report), VIEW_HEAD);
  console.log();
}
