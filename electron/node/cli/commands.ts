import { Command, Option } from 'commander';
import type { StackSession } from '../session/stack-session.js';

/* The verbs of `berth`, as commander declares them: each loads its command's module only when it runs. */

const PROFILES = ['auto', 'development', 'production'];

function profileOption(): Option {
  return new Option('--profile <profile>', 'which stack to plan').choices(PROFILES);
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** Flags that override settings for this run (images, ports, network, models). */
function withOverrides(command: Command): Command {
  return command
    .option('--image <service=image>', 'use this image for a service (repeatable)', collect)
    .option('--port <service=port>', 'publish a service on this host port (repeatable)', collect)
    .option('--network <name>', 'the Docker network the stack joins')
    .option('--disable <model>', 'leave this model out (repeatable)', collect)
    .option('--enable <model>', 'run this model even if settings turn it off (repeatable)', collect);
}

function factsOption(): Option {
  return new Option(
    '--facts <file>',
    'plan for the machine described by this file (`berth facts --json` output) instead of this one',
  );
}

/** What every verb's action is given: the session (built on first use), where to write, and its exit code's setter. */
export interface CommandContext {
  session: () => Promise<StackSession>;
  out: (text: string) => void;
  err: (text: string) => void;
  done: (code: number) => void;
}

/** Every verb of the command line on `program`. */
export function declareCommands(program: Command, context: CommandContext): void {
  stackCommands(program, context);
  upgradeCommands(program, context);
  exportCommands(program, context);
  engineCommands(program, context);
}

function upgradeCommands(program: Command, { session, out, done }: CommandContext): void {
  program
    .command('upgrade')
    .description('list the services whose planned image is newer than the running one, and try each on this machine')
    .argument('[services...]', 'services to try; every candidate not rolled back before when none')
    .option('--check', "pull the candidates' images, with progress, and change nothing")
    .option('--now', 'try each candidate now: it is kept only when no worse, else the running image comes back')
    .option('--when-idle', 'as --now, but a model on demand is tried once it has fallen asleep')
    .option('--rollback <service>', 'return a service to the image it ran before its last switch')
    .option('--json', 'the candidates, or the trials, as JSON')
    .action(async (services: string[], options) => {
      const { upgradeCommand } = await import('./commands/upgrade.js');
      done(await upgradeCommand(await session(), services, options, out));
    });
}

function stackCommands(program: Command, { session, out, err, done }: CommandContext): void {
  program
    .command('facts')
    .description('what Berth detects: CPU, memory, GPUs and the Docker engine')
    .option('--json', 'the HostFacts contract as JSON')
    .addOption(factsOption().hideHelp())
    .action(async (options) => {
      const { factsCommand } = await import('./commands/facts.js');
      done(await factsCommand(await session(), options, out));
    });

  withOverrides(program.command('plan'))
    .description('how the stack would share this machine, and why')
    .addOption(profileOption())
    .addOption(factsOption())
    .option('--json', 'the StackPlan contract as JSON')
    .action(async (options) => {
      const { planCommand } = await import('./commands/plan.js');
      done(await planCommand(await session(), options, out));
    });

  withOverrides(program.command('up'))
    .description('start the stack (or these services and what they need), in order, gated on health')
    .argument('[services...]', 'services to start; all when none')
    .option('--dry-run', 'print the steps it would take, in order, and change nothing')
    .addOption(profileOption())
    .addOption(factsOption().hideHelp())
    .action(async (services: string[], options) => {
      const { upCommand } = await import('./commands/up.js');
      done(await upCommand(await session(), services, options, out));
    });

  withOverrides(program.command('down'))
    .description('stop and remove the stack (or these services and what depends on them); volumes are kept')
    .argument('[services...]', 'services to stop; all when none')
    .option('--volumes', "also remove the stack's volumes: downloaded weights, chats, metrics, dashboards")
    .action(async (services: string[], options) => {
      const { downCommand } = await import('./commands/down.js');
      done(await downCommand(await session(), services, options, out));
    });

  withOverrides(program.command('status'))
    .description("each service's state, from Docker")
    .addOption(profileOption())
    .addOption(factsOption().hideHelp())
    .option('--json', 'the status contract as JSON')
    .option('--watch', 'keep following changes (Ctrl-C stops)')
    .action(async (options) => {
      const { statusCommand } = await import('./commands/status.js');
      done(await statusCommand(await session(), options, out));
    });

  program
    .command('logs')
    .description("a service's log")
    .argument('<service>', 'e.g. vllm-qwen3')
    .option('-f, --follow', 'keep following (Ctrl-C stops)')
    .option('--tail <lines>', 'start with the last N lines', '200')
    .option('-t, --timestamps', "prefix each line with Docker's timestamp")
    .action(async (service: string, options) => {
      const { logsCommand } = await import('./commands/logs.js');
      done(await logsCommand(await session(), service, options, out, err));
    });

  program
    .command('serve')
    .description('the dashboard and its API for a browser, on 127.0.0.1 with a per-launch token')
    .option('--port <port>', 'port to listen on (0: any free port)', '7000')
    .option('--host <address>', 'address to listen on; anything but loopback prints a warning', '127.0.0.1')
    .action(async (options) => {
      const { serveCommand } = await import('./commands/serve.js');
      done(await serveCommand(await session(), options, out, err));
    });

  withOverrides(program.command('doctor'))
    .description('check what the stack needs, and say how to fix what is missing')
    .addOption(profileOption())
    .addOption(factsOption().hideHelp())
    .option('--json', 'the results as JSON')
    .action(async (options) => {
      const { doctorCommand } = await import('./commands/doctor.js');
      done(await doctorCommand(await session(), options, out));
    });
}

function exportCommands(program: Command, { session, out, done }: CommandContext): void {
  const exportCommand = program.command('export').description('write the plan in another format');
  withOverrides(exportCommand.command('compose'))
    .description('a docker-compose.yml, the files it mounts and an env file with placeholders')
    .addOption(profileOption())
    .addOption(factsOption())
    .option('--out <dir>', 'folder to write into', 'berth-stack')
    .option('--force', 'replace files that Berth did not write')
    .action(async (options) => {
      const { exportComposeCommand } = await import('./commands/export-compose.js');
      done(await exportComposeCommand(await session(), options, out));
    });

  withOverrides(exportCommand.command('k8s'))
    .description(
      "values for vLLM's production-stack Helm chart, Open WebUI and monitoring manifests, the Secret to " +
        'create and a README',
    )
    .addOption(profileOption())
    .addOption(factsOption())
    .option('--out <dir>', 'folder to write into', 'berth-k8s')
    .option('--namespace <ns>', 'the namespace the manifests and the README use', 'berth')
    .option('--replicas <n>', 'replicas per model (default 1)')
    .option('--autoscale <min-max>', 'scale each model with KEDA on its waiting requests, e.g. 1-4')
    .option('--gpu-sharing <how>', 'models that share a card in the plan: whole (a card each) or hami', 'whole')
    .option('--prometheus-url <url>', 'the Prometheus KEDA reads (kube-prometheus-stack by default)')
    .option('--force', 'replace files that Berth did not write')
    .action(async (options) => {
      const { exportK8sCommand } = await import('./commands/export-k8s.js');
      done(await exportK8sCommand(await session(), options, out));
    });
}

function engineCommands(program: Command, { session, out, done }: CommandContext): void {
  const engine = program
    .command('engine')
    .description("the Docker engines Berth can use: this machine's and remote ones, such as a GPU box over SSH");
  engine
    .command('list', { isDefault: true })
    .description('the engines, the one in use marked *')
    .action(async () => {
      const { engineCommand } = await import('./commands/engine.js');
      done(await engineCommand(await session(), 'list', [], out));
    });
  engine
    .command('add')
    .description(
      'name a remote engine: an ssh:// URL or an alias from your ssh config, e.g. `berth engine add gpu-box ' +
        'ssh://me@gpu-box`',
    )
    .argument('<name>', 'what to call it, e.g. gpu-box')
    .argument('[endpoint]', 'ssh://[user@]host[:port], tcp://host:port, or an ssh alias; the name itself when left out')
    .action(async (name: string, endpoint: string | undefined) => {
      const { engineCommand } = await import('./commands/engine.js');
      done(await engineCommand(await session(), 'add', [name, endpoint ?? ''], out));
    });
  engine
    .command('remove')
    .argument('<name>')
    .description('forget a remote engine (its stack keeps running there)')
    .action(async (name: string) => {
      const { engineCommand } = await import('./commands/engine.js');
      done(await engineCommand(await session(), 'remove', [name], out));
    });
  engine
    .command('use')
    .argument('<name>', '"local", or a name from `berth engine list`')
    .description('make an engine the one Berth uses (the app and every command)')
    .action(async (name: string) => {
      const { engineCommand } = await import('./commands/engine.js');
      done(await engineCommand(await session(), 'use', [name], out));
    });
}
