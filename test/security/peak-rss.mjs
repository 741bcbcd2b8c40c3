// Loaded into the CLI under test with `node --import`: at exit, writes the process's peak resident set size in bytes
// (getrusage's ru_maxrss, the same high-water mark as VmHWM in /proc/<pid>/status) to the file the test names.
import { writeFileSync } from 'node:fs';

const target = process.env.ARBBOT_TEST_PEAK_RSS_FILE;
if (target) process.on('exit', () => writeFileSync(target, String(process.resourceUsage().maxRSS * 1024)));
