/* The supervisor's process: `node supervise-main.js <record file>` (host-models.ts starts it, detached). */
import { readRecordFile } from './records.js';
import { Supervisor } from './supervise.js';

const file = process.argv[2];
const record = file ? await readRecordFile(file) : undefined;
if (!file || !record) {
  process.stderr.write(`berth: no host model record at ${file ?? '(none given)'}\n`);
  process.exit(2);
}
new Supervisor(file, record).start();
