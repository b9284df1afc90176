import { httpGet as get } from '../http-get.js';
import type Docker from 'dockerode';
import type { PlannedService } from '../../common/contracts/stack-plan.js';
import type { ProgressListener } from '../../common/contracts/progress.js';
import { explainExit, explainFailure } from '../../common/explain/failures.js';
import { formatBytes } from '../../common/units.js';
import { PassThrough } from 'node:stream';
import { EngineError, ServiceStoppedError, dockerMessage } from './errors.js';
import { readLogTail } from './logs.js';

/**
 * Asks the service itself, as its users will: vLLM's /health and then /v1/models (the server listens only
 * once the model is loaded, and lists it by its served name); the others' own health endpoints.
 */
export async function probeHealthy(service: PlannedService, host: string): Promise<boolean> {
  const port = service.ports[0]?.host;
  if (!service.health || port === undefined) return false;
  const base = `http://${host}:${port}`;
  const health = await get(`${base}${service.health.path}`, 2000);
  if (!health || health.status < 200 || health.status >= 300) return false;
  if (service.role !== 'model' || !service.model) return true;
  const models = await get(`${base}/v1/models`, 2000);
  return models?.status === 200 && models.body.includes(`"${service.model.servedName}"`);
}

/** Resolves true once the service answers as its users will (probeHealthy), false when aborted first. */
export async function untilAnswers(service: PlannedService, host: string, signal: AbortSignal): Promise<boolean> {
  while (!signal.aborted) {
    if (await probeHealthy(service, host).catch(() => false)) return !signal.aborted;
    await new Promise<void>((resolve) => {
      // Every 50 ms: a request to the service's own port on this machine, for the few seconds it takes to answer. The
      // abort listener goes with each wait: one per wait left on the signal grew past Node's warning at 10.
      const stop = () => (clearTimeout(timer), resolve());
      const timer = setTimeout(() => (signal.removeEventListener('abort', stop), resolve()), 50);
      signal.addEventListener('abort', stop, { once: true });
    });
  }
  return false;
}

/**
 * Reads what a model server reported as it started, keeps it beside its plan, and says so. A failure to read is logged,
 * never fatal.
 */
/**
 * "5.3 GiB: 3.2 GiB weights + 1 GiB KV cache + 2.5 GiB runtime planned, all used": what the limit held, by the plan.
 */
function memoryLimitWords(service: PlannedService, limit: number): string {
  const expected = service.model?.expected;
  if (!expected?.weightsBytes || expected.kvBytes === undefined || expected.overheadBytes === undefined)
    return formatBytes(limit);
  return (
    `${formatBytes(limit)}, all of it used: ${formatBytes(expected.weightsBytes)} weights + ` +
    `${formatBytes(expected.kvBytes)} KV cache + ${formatBytes(expected.overheadBytes)} runtime planned`
  );
}

/** Why a container stopped, in one sentence with a fix, from its exit and its log. */
export async function explainStopped(
  docker: Docker,
  service: PlannedService,
  containerId: string,
): Promise<ServiceStoppedError> {
  const info = await docker.getContainer(containerId).inspect();
  const lines = (await readLogTail(docker, containerId, 300).catch(() => [])).map((l) => l.text);
  const explained =
    explainFailure(service.name, lines) ??
    explainExit(
      service.name,
      info.State.ExitCode,
      info.State.OOMKilled,
      service.memoryBytes ? memoryLimitWords(service, service.memoryBytes) : undefined,
    );
  return new ServiceStoppedError(
    explained.message,
    explained.fix,
    info.State.OOMKilled || info.State.ExitCode === 137,
    containerId,
  );
}

const DELAYS_MS = [100, 100, 150, 200, 250, 300, 400, 500, 750, 1000];

/** Docker's health test as a command to exec: CMD's arguments, or CMD-SHELL's line through /bin/sh. */
function healthCommand(test: readonly string[]): string[] | undefined {
  if (test[0] === 'CMD') return test.slice(1);
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return undefined;
}

/**
 * Runs the container's own health check once, now, as Docker would at its next tick: whether it passes, and its last
 * line of output when it does not.
 */
export async function checkHealthOnce(
  docker: Docker,
  containerId: string,
  health: NonNullable<PlannedService['health']>,
): Promise<{ ok: boolean; output: string }> {
  const command = healthCommand(health.test);
  if (!command) return { ok: false, output: 'no health check to run' };
  try {
    const exec = await docker.getContainer(containerId).exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
    const stream = await exec.start({ hijack: true, stdin: false });
    const chunks: Buffer[] = [];
    const sink = new PassThrough();
    sink.on('data', (chunk: Buffer) => chunks.push(chunk));
    docker.modem.demuxStream(stream, sink, sink);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, health.timeoutS * 1000);
      stream.once('end', () => (clearTimeout(timer), resolve()));
      stream.once('close', () => (clearTimeout(timer), resolve()));
      stream.once('error', () => (clearTimeout(timer), resolve()));
    });
    stream.destroy();
    const { ExitCode, Running } = await exec.inspect();
    const output = Buffer.concat(chunks).toString('utf8').trim().split('\n').filter(Boolean).at(-1) ?? '';
    return { ok: !Running && ExitCode === 0, output: output.slice(0, 200) || `exit code ${ExitCode ?? '?'}` };
  } catch (error) {
    return { ok: false, output: dockerMessage(error).slice(0, 200) };
  }
}

/** The last output of Docker's health check, in one line. */
function lastCheckOutput(info: { State: { Health?: { Log?: { Output?: string; ExitCode?: number }[] } } }): string {
  const last = info.State.Health?.Log?.at(-1);
  const output = (last?.Output ?? '').trim().split('\n').filter(Boolean).at(-1);
  return output ? output.slice(0, 200) : last ? `exit code ${last.ExitCode}` : 'no result yet';
}

/**
 * Waits until the service is healthy as `berth status` reads it: Docker's health check says so, or the service answers
 * its users' way (untilAnswers) and its own health check, run once by Berth (`checkOnce`), passes — Docker would say
 * the same at its next check, which an engine without StartInterval runs a whole interval after the start; status
 * reads such a start as healthy (answered.ts). Returns that start's StartedAt, to be kept, or undefined when Docker
 * said healthy first. When the service answers but its check keeps failing, the check itself is broken (the image
 * lacks what it runs) and the wait ends with that explanation. A container that stops meanwhile fails the wait with
 * its own explanation.
 */
export async function waitHealthy(args: {
  docker: Docker;
  service: PlannedService;
  containerId: string;
  /** When the service first answered its users' way (untilAnswers), if it has; nothing is probed twice. */
  answeredAt: () => number | undefined;
  emit: ProgressListener;
  /** Resolves early when Docker reports something about this container. */
  nudge: () => Promise<void>;
  started: number;
  /**
   * Runs the service's health check once now (checkHealthOnce), or knows it passes on this image (the image's id is
   * given); without it, only Docker's word counts.
   */
  checkOnce?: (imageId: string) => Promise<{ ok: boolean; output: string }>;
}): Promise<string | undefined> {
  const { docker, service, containerId, emit } = args;
  const health = service.health;
  if (!health) return undefined;
  const limitMs = (health.startPeriodS + health.intervalS * (health.retries + 1) + 30) * 1000;
  // Docker checks every second while a service starts (StartInterval, engines from 25), else every interval.
  const graceMs = (health.intervalS + health.timeoutS) * 2000;
  let lastReport = 0;
  let failedChecks = 0;
  let checkOutput: string | undefined;
  let image: string | undefined;
  for (let attempt = 0; ; attempt++) {
    const answeredAt = args.answeredAt();
    // Once it answers, its check runs beside the look at its state (after a first look, which finds a container
    // already healthy): the check is what `up` waits on last.
    const [info, check] = await Promise.all([
      docker.getContainer(containerId).inspect(),
      answeredAt !== undefined && image !== undefined ? args.checkOnce?.(image) : undefined,
    ]);
    image = info.Image;
    if (!info.State.Running || info.State.Restarting) throw await explainStopped(docker, service, containerId);
    if (info.State.Health?.Status === 'healthy') return undefined;
    if (check) {
      if (check.ok) return info.State.StartedAt;
      failedChecks += 1;
      checkOutput = check.output;
    }
    // Three failed runs of the check a second apart while the service answers, or Docker's own failing past its grace.
    const broken = failedChecks >= 3 || (answeredAt !== undefined && Date.now() - answeredAt > graceMs);
    if (broken) {
      throw new EngineError(
        `${service.name} answers on ${health.path}, but Docker's health check of it does not pass ` +
          `(${checkOutput ?? lastCheckOutput(info)})`,
        `the image must have what the check runs (${health.test.slice(1, 2).join('')}): use an image that ` +
          `has it, or berth logs ${service.name} to see more`,
      );
    }
    const elapsedMs = Date.now() - args.started;
    if (elapsedMs > limitMs) {
      throw new EngineError(
        `${service.name} did not become healthy within ${Math.round(limitMs / 1000)} s`,
        `read its log (berth logs ${service.name} --tail 200); a first start may still be downloading weights`,
      );
    }
    if (elapsedMs - lastReport >= 5000) {
      lastReport = elapsedMs;
      emit({
        kind: 'waiting',
        service: service.name,
        elapsedS: Math.round(elapsedMs / 1000),
        on: answeredAt === undefined ? health.path : "Docker's health check",
      });
    }
    const delay = failedChecks > 0 ? 1000 : (DELAYS_MS[Math.min(attempt, DELAYS_MS.length - 1)] as number);
    // The timer is cleared when Docker's event comes first: a pending one kept `berth up` alive for up to a second
    // after the stack was healthy.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, delay))), args.nudge()]);
    clearTimeout(timer);
  }
}
