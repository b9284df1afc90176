import { InputError } from '../../../common/contracts/errors.js';
import { explainFailure } from '../../../common/explain/failures.js';
import type { LogLine } from '../../engine/logs.js';
import { logSourceFor } from '../../model-servers/log-source.js';
import { redact } from '../../secrets/secrets-file.js';
import type { StackSession } from '../../session/stack-session.js';
import { untilStopSignal } from '../../shutdown.js';

export async function logsCommand(
  session: StackSession,
  service: string,
  flags: { follow?: boolean; tail: string; timestamps?: boolean },
  out: (text: string) => void,
  err: (text: string) => void,
): Promise<number> {
  const tail = Number(flags.tail);
  if (!Number.isInteger(tail) || tail < 0)
    throw new InputError('--tail', `"${flags.tail}" is not a number of lines (0 or more)`);
  const { settings } = await session.settings();
  // A model server on this machine has its log here, whether or not the engine answers.
  const onHost = await logSourceFor(session.home, settings.stack, undefined, service);
  const { source, there } = onHost.source
    ? onHost
    : await logSourceFor(session.home, settings.stack, (await session.engine()).docker, service);
  if (!source)
    throw new InputError(
      'SERVICE',
      `no container for "${service}" in the "${settings.stack}" stack; there are: ` +
        (there.join(', ') || 'none (berth up starts the stack)'),
    );
  // A service may log a secret (litellm's debug output does): it is shown by its name, never its value.
  const secrets = await session.secrets({ generate: false }).catch(() => ({}));
  const recent: string[] = [];
  const print = (line: LogLine) => {
    const text = redact(line.text, secrets);
    out(flags.timestamps && line.time ? `${line.time} ${text}` : text);
    recent.push(line.text);
    if (recent.length > 300) recent.shift();
  };
  if (flags.follow) {
    const abort = new AbortController();
    const stop = new AbortController();
    void untilStopSignal(stop.signal).then((why) => why !== 'aborted' && abort.abort());
    await source
      .follow({ tail, timestamps: flags.timestamps ?? false, signal: abort.signal }, print)
      .finally(() => stop.abort());
  } else {
    for (const line of await source.tail(tail, flags.timestamps ?? false)) print(line);
  }
  const explained = explainFailure(service, recent);
  if (explained) err(`berth: ${explained.message} — ${explained.fix}`);
  return 0;
}
