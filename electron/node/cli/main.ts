import { BERTH_VERSION } from '../version.js';
import type { SecretCipher } from '../secrets/secrets-file.js';
import { Command, CommanderError } from 'commander';
import { declareCommands } from './commands.js';
import { EXIT, reportError } from './errors.js';

/** The `berth` command line. Returns the exit code: 0 done, 1 failed, 2 bad usage or bad input. */
/** What the process running the CLI brings: the app's keychain cipher when the packaged app runs it (`Berth --cli`). */
export interface CliRuntime {
  cipher?: SecretCipher;
}

/** Commander's usage errors ("error: …", then "(Did you mean …?)") as one line with where to read more. */
function usageError(text: string): string {
  if (!/^error:/.test(text.trimStart())) return text.trimEnd();
  const line = text
    .trim()
    .split('\n')
    .map((part) => part.trim())
    .filter(Boolean)
    .join(' ');
  return `berth: ${line.replace(/^error: /, '')} (run berth --help for usage)`;
}

/** An empty argument (`--facts ''`, `--engine=`) is a mistake, never "the default": refused with the option named. */
function emptyArgument(argv: readonly string[]): string | undefined {
  for (const [i, arg] of argv.entries()) {
    const inline = /^(--[\w-]+)=$/.exec(arg)?.[1];
    if (inline) return `${inline} needs a value: give one, or leave the option out`;
    if (arg !== '') continue;
    const before = argv[i - 1];
    return before?.startsWith('-')
      ? `${before} needs a value, not an empty one: give one, or leave the option out`
      : 'an empty argument: give a value, or leave it out';
  }
  return undefined;
}

export async function runCli(
  argv: readonly string[],
  io = { out: (t: string) => console.log(t), err: (t: string) => console.error(t) },
  runtime: CliRuntime = {},
): Promise<number> {
  let code: number = EXIT.done;
  // One session per run, built only by the command that needs it (so `berth --help` loads none of it), and closed at
  // the end (a remote engine's SSH connection with it).
  let opened: { close(): Promise<void> } | undefined;
  const session = async () => {
    const { StackSession } = await import('../session/stack-session.js');
    const engine = program.opts<{ engine?: string }>().engine;
    const created = new StackSession({
      env: process.env,
      cipher: runtime.cipher,
      log: (message) => io.err(`berth: ${message}`),
      ...(engine ? { engine } : {}),
    });
    opened = created;
    return created;
  };
  const program = new Command('berth')
    .description(
      'Plans and runs a self-hosted LLM stack (vLLM, litellm, Open WebUI, Prometheus, Grafana) through Docker.',
    )
    .version(BERTH_VERSION)
    .option(
      '-e, --engine <name>',
      'use this engine ("local", or a name from `berth engine list`) instead of the one settings choose',
    )
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(usageError(t)) });

  declareCommands(program, { session, out: io.out, err: io.err, done: (c) => (code = c) });

  const empty = emptyArgument(argv);
  if (empty) {
    io.err(`berth: ${empty}`);
    return EXIT.badInput;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.version' ||
        error.code === 'commander.help'
      )
        return EXIT.done;
      return EXIT.badInput;
    }
    return reportError(error, io.err, process.env.BERTH_DEBUG === '1');
  } finally {
    await opened?.close();
  }
}
