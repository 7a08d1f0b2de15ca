// Preloaded into the measured child (`node --import ./bench/probe.mjs …`): at exit, writes the
// process's own peak resident set size (getrusage ru_maxrss, = VmHWM in /proc/<pid>/status) and
// CPU times to the file named by BENCH_PROBE_OUT. Nothing else is changed in the child.
import { writeFileSync } from 'node:fs';

const out = process.env.BENCH_PROBE_OUT;
if (out) {
  process.on('exit', () => {
    const u = process.resourceUsage(); // maxRSS in KiB, times in µs
    writeFileSync(out, JSON.stringify({ maxRssKiB: u.maxRSS, userUs: u.userCPUTime, systemUs: u.systemCPUTime, uptimeMs: Math.round(process.uptime() * 1000) }));
  });
}
