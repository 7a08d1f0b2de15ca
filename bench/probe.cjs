// Preloaded into the measured child (`node --require ./bench/probe.cjs …`): at exit, writes the
// process's own peak resident set size (getrusage ru_maxrss, = VmHWM in /proc/<pid>/status) and
// CPU times (its own, and its waited-for children's) to the file named by BENCH_PROBE_OUT. Nothing else is changed in the child.
// CommonJS and `--require`, not an ES module and `--import`: `--import` starts Node's ES module
// loader in the child, ~10 ms more of every measured start on the machine of bench/README.md
// (`node --import <probe> -e 0` 0.11 s against 0.09–0.10 s with `--require`), which the linter's
// users never pay.
'use strict';
const { readFileSync, writeFileSync } = require('node:fs');

/**
 * CPU of the child processes the measured process waited for (git, since issue 11's fourth round
 * runs `git status`): /proc/self/stat fields 16–17 (cutime, cstime), in clock ticks (USER_HZ, 100
 * on Linux). Null where there is no /proc.
 */
function childrenCpuUs() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name, which is in parentheses and may hold spaces.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // f[0] is field 3 (state): cutime is field 16, cstime field 17.
    return (Number(f[13]) + Number(f[14])) * 10_000;
  } catch {
    return null;
  }
}

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage(); // maxRSS in KiB, times in µs
    writeFileSync(out, JSON.stringify({ maxRssKiB: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime, childrenUs: childrenCpuUs(), uptimeMs: Math.round(process.uptime() * 1000) }));
  });
}
