import { Command, CommanderError, Option } from 'commander';
import { EXIT, reportError } from './errors.js';

const PROFILES = ['auto', 'development', 'production'];

function profileOption(): Option {
  return new Option('--profile <profile>', 'which stack to plan').choices(PROFILES);
}

function factsOption(): Option {
  return new Option('--facts <file>', 'plan for the machine described by this file (`berth facts --json` output) instead of this one');
}

/** The `berth` command line. Returns the exit code: 0 done, 1 failed, 2 bad usage or bad input. */
export async function runCli(argv: readonly string[], io = { out: (t: string) => console.log(t), err: (t: string) => console.error(t) }): Promise<number> {
  let code: number = EXIT.done;
  const program = new Command('berth')
    .description('Plans and runs a self-hosted LLM stack (vLLM, litellm, Open WebUI, Prometheus, Grafana) through Docker.')
    .version(process.env.npm_package_version ?? '0.1.0')
    .showHelpAfterError('(run berth --help for usage)')
    .exitOverride()
    .configureOutput({ writeOut: (t) => io.out(t.trimEnd()), writeErr: (t) => io.err(t.trimEnd()) });

  program
    .command('facts')
    .description('what Berth detects: CPU, memory, GPUs and the Docker engine')
    .option('--json', 'the HostFacts contract as JSON')
    .addOption(factsOption().hideHelp())
    .action(async (options) => {
      const { factsCommand } = await import('./commands/facts.js');
      code = await factsCommand(options, io.out);
    });

  program
    .command('plan')
    .description('how the stack would share this machine, and why')
    .addOption(profileOption())
    .addOption(factsOption())
    .option('--json', 'the StackPlan contract as JSON')
    .action(async (options) => {
      const { planCommand } = await import('./commands/plan.js');
      code = await planCommand(options, io.out);
    });

  program
    .command('export')
    .description('write the plan in another format')
    .command('compose')
    .description('a docker-compose.yml, the files it mounts and an env file with placeholders')
    .addOption(profileOption())
    .addOption(factsOption())
    .option('--out <dir>', 'folder to write into', 'berth-stack')
    .option('--force', 'replace files that Berth did not write')
    .action(async (options) => {
      const { exportComposeCommand } = await import('./commands/export-compose.js');
      code = await exportComposeCommand(options, io.out);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.done;
      return EXIT.badInput;
    }
    return reportError(error, io.err, process.env.BERTH_DEBUG === '1');
  }
}
