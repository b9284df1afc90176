import type { HostFacts } from '../contracts/host-facts.js';
import type { Settings } from '../contracts/settings.js';
import {
  about,
  isOnDemand,
  type PlannedService,
  type PlanWarning,
  type ServiceDraft,
  type StackPlan,
} from '../contracts/stack-plan.js';
import { catalogFor, allServiceNames } from '../catalog/resolve.js';
import { capitalized, formatGiB } from '../units.js';
import { chooseProfile } from './profile.js';
import { trustedRemoteLitellm } from '../litellm-url.js';
import { ENGINE_HEADROOM_BYTES } from './cpu-memory.js';
import { engineProductName } from './cpu-memory-words.js';
import { nvidiaCards, planGpuModels } from './gpu.js';
import { WAKE_GATEWAY, assignHostPorts } from './ports.js';
import { wakesHere } from './on-demand.js';
import { engineMemoryBytes } from './memory-account.js';
import { CONTAINER_PORTS, HOST_ALIAS_ENTRY, WAKE_KEY_ENV } from './services.js';
import type { PlanOptions } from './plan-inputs.js';
import type { StackServiceDefinition } from '../services/definition.js';
import { STACK_SERVICES, companionBytes } from '../services/registry.js';
import type { ModelSpec } from '../catalog/models.js';
import { checkKeepAlive, checkKnownServices, checkTuning } from './plan-checks.js';
import { planCpuModels } from './plan-cpu.js';
import { planGpuModelServices } from './plan-gpu.js';
import { HOST_SERVER_PLANNERS } from '../model-servers/host-kinds.js';
import { runsOnHost } from '../model-servers/registry.js';
import { planWithHolds } from './holds.js';

/** Warnings about the engine and the settings themselves, whatever the models. */
function settingsWarnings(facts: HostFacts, settings: Settings, onDemand: readonly string[]): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  if (settings.litellmUrl && !trustedRemoteLitellm(settings)) {
    warnings.push({
      code: 'litellm-url-unconfirmed',
      message:
        `litellmUrl is ${settings.litellmUrl}, but it is not confirmed: Open WebUI and Chat use the stack's ` +
        'own litellm until you confirm it in Settings (it then receives the master key).',
    });
  }
  if (onDemand.length && !wakesHere(facts)) {
    warnings.push({
      code: 'on-demand-remote',
      message:
        `${onDemand.join(', ')} ${onDemand.length === 1 ? 'is' : 'are'} on demand (keepAlive), but the engine is on ` +
        "another machine and Berth wakes models from the engine's own host: run berth serve there, or set keepAlive " +
        'to "always".',
    });
  }
  if (settings.exposePorts) {
    warnings.push({
      code: 'ports-exposed',
      message:
        'every port is open to the network (exposePorts): anyone who reaches this machine can use the models ' +
        'with the master key and see Grafana. Turn exposePorts off unless a firewall guards the host.',
    });
  }
  return warnings;
}

/** A draft as the plan gives it: its host port, what models on demand need of it, and why its port is where it is. */
function finished(
  d: ServiceDraft,
  port: PlannedService['ports'][number] | undefined,
  onDemand: boolean,
  onHost: boolean,
): PlannedService {
  const reachesHost = (onDemand || onHost) && (d.name === 'litellm' || d.name === 'prometheus');
  if (runsOnHost(d) && port) {
    // A model server on the host listens on its host port itself, on loopback only: the engine's VM reaches the Mac's
    // loopback at host.docker.internal (Docker Desktop, OrbStack, Colima: node/wake/host-address.ts).
    const own = { host: port.host, container: port.host, bind: '127.0.0.1' };
    return {
      ...d,
      command: [...d.command, '--host', own.bind, '--port', String(own.host)],
      ports: [own],
      reasons: [...d.reasons, about('network', `port ${own.host} on 127.0.0.1 only (loopback), served by the process`)],
    };
  }
  return {
    ...d,
    ...(reachesHost ? { extraHosts: [HOST_ALIAS_ENTRY] } : {}),
    // litellm sends the wake gateway its key: the gateway refuses any request without it.
    ...(onDemand && d.name === 'litellm' ? { env: { ...d.env, [WAKE_KEY_ENV]: `\${${WAKE_KEY_ENV}}` } } : {}),
    // An asleep model stays stopped: Docker must not start it again when the engine restarts.
    ...(isOnDemand(d) ? { restart: 'no' as const } : {}),
    ports: port ? [port] : [],
    reasons: [
      ...d.reasons,
      ...(port
        ? [
            about(
              'network',
              `port ${port.host} on ${port.bind === '127.0.0.1' ? '127.0.0.1 only (loopback)' : 'every interface'}`,
            ),
          ]
        : []),
    ],
  };
}

/** The services beside the models, each drafted by its definition with its image from settings or its own. */
function companionDrafts(
  services: readonly StackServiceDefinition[],
  settings: Settings,
  served: readonly ModelSpec[],
): ServiceDraft[] {
  return services.map((s) => ({
    ...s.draft({ image: settings.images[s.name] ?? s.image, settings, served }),
    ...(s.scrape ? { scrape: s.scrape } : {}),
    ...(s.link ? { link: s.link } : {}),
  }));
}

/** Said before the models are planned: no engine answered, or no model is turned on. */
function startWarnings(facts: HostFacts, profile: StackPlan['profile'], models: readonly ModelSpec[]): PlanWarning[] {
  const warnings: PlanWarning[] = [];
  if (!facts.engine) {
    warnings.push({
      code: 'no-engine',
      message:
        `no Docker engine answered${facts.engineProblem ? ` (${facts.engineProblem})` : ''}: this plan assumes ` +
        `the host's ${facts.cpu.physical} cores and ${formatGiB(facts.memory.totalBytes)}, which containers ` +
        'may not get. Start Docker and plan again.',
    });
  }
  if (models.length === 0) {
    warnings.push({
      code: 'no-models',
      message:
        `no ${profile} model is turned on: turn one on in settings (disabledModels) or add one by its ` +
        'Hugging Face id.',
    });
  }
  return warnings;
}

/** Too little memory for the other services, unless the models' planning said so already. */
function memoryWarnings(facts: HostFacts, othersBytes: number, already: readonly PlanWarning[]): PlanWarning[] {
  const engineBytes = engineMemoryBytes(facts);
  if (engineBytes >= othersBytes || already.some((w) => w.code === 'insufficient-memory')) return [];
  return [
    {
      code: 'insufficient-memory',
      message:
        `${capitalized(engineProductName(facts.engine?.kind))} gives containers ${formatGiB(engineBytes)}; ` +
        `litellm, Open WebUI, Prometheus and Grafana need ${formatGiB(othersBytes)}: give the engine more ` +
        'memory.',
    },
  ];
}

type ModelRoom = { onDemand?: { budgetBytes: number; atOnce: number } | undefined; host?: StackPlan['host'] };

/**
 * The models' servers: on the host where a kind of server there takes them (vllm-metal on a Mac's GPU), else CPU or
 * GPU containers, by profile.
 */
function planModels(
  profile: StackPlan['profile'],
  models: readonly ModelSpec[],
  facts: HostFacts,
  settings: Settings,
  options: PlanOptions,
  warnings: PlanWarning[],
  room: ModelRoom,
): ServiceDraft[] {
  if (profile === 'production') return planGpuModelServices(models, facts, settings, options, warnings);
  const placements = HOST_SERVER_PLANNERS.map((kind) => ({ kind, ...kind.placement(facts, settings) }));
  const chosen = placements.find((p) => p.engine);
  if (!chosen?.engine) {
    warnings.push(...placements.flatMap((p) => (p.warning ? [p.warning] : [])));
    return planCpuModels(models, facts, settings, options, warnings, room);
  }
  const vmNeedsBytes = companionBytes(options.stackServices ?? STACK_SERVICES) + ENGINE_HEADROOM_BYTES;
  const planned = chosen.kind.plan(models, facts, settings, options, { ...chosen.engine, vmNeedsBytes }, warnings);
  room.onDemand = planned.onDemand;
  room.host = planned.host;
  return planned.drafts;
}

/** The whole stack for this host and these settings. Pure: the same facts and settings give the same plan. */
export function planStack(facts: HostFacts, settings: Settings, options: PlanOptions = {}): StackPlan {
  return planWithHolds(settings, options.holds, (s) => planOnce(facts, s, options));
}

function planOnce(facts: HostFacts, settings: Settings, options: PlanOptions): StackPlan {
  const catalog = catalogFor(settings);
  const services = options.stackServices ?? STACK_SERVICES;
  checkKnownServices(settings, allServiceNames(catalog, services));
  checkTuning(catalog, settings);
  checkKeepAlive(
    settings,
    catalog.map((m) => m.service),
  );
  const enabled = catalog.filter((m) => !settings.disabledModels.includes(m.service));
  const gpuModels = enabled.filter((m) => m.device === 'gpu');
  const choice = options.profile ?? { choice: settings.profile, source: 'settings' };
  const decision = chooseProfile(choice.choice, choice.source, facts, () => {
    if (nvidiaCards(facts).length === 0) return { fits: false, leftOut: [] };
    return planGpuModels(gpuModels, facts, settings.tuning);
  });
  const models = decision.profile === 'development' ? enabled.filter((m) => m.device === 'cpu') : gpuModels;
  const warnings: PlanWarning[] = startWarnings(facts, decision.profile, models);
  const cpuRoom: ModelRoom = {};
  const modelDrafts = planModels(decision.profile, models, facts, settings, options, warnings, cpuRoom);
  warnings.push(...memoryWarnings(facts, companionBytes(services) + ENGINE_HEADROOM_BYTES, warnings));
  const onDemand = modelDrafts.filter(isOnDemand).map((d) => d.name);
  const served = models.filter((m) => modelDrafts.some((d) => d.name === m.service));
  const drafts: ServiceDraft[] = [...modelDrafts, ...companionDrafts(services, settings, served)];
  const bind = settings.exposePorts ? '0.0.0.0' : '127.0.0.1';
  const ports = assignHostPorts(
    [
      ...drafts.map((d) => {
        const definition = services.find((s) => s.name === d.name);
        return {
          name: d.name,
          containerPort: definition?.containerPort ?? CONTAINER_PORTS.model,
          preferred: definition?.hostPort,
        };
      }),
      ...(onDemand.length ? [{ name: WAKE_GATEWAY, containerPort: 0 }] : []),
    ],
    settings.ports,
    bind,
  );
  const gatewayPort = ports.get(WAKE_GATEWAY)?.host;
  warnings.push(...settingsWarnings(facts, settings, onDemand));
  return {
    schema: 1,
    profile: decision.profile,
    stack: settings.stack,
    network: settings.network,
    services: drafts.map((d) => finished(d, ports.get(d.name), onDemand.length > 0, modelDrafts.some(runsOnHost))),
    warnings,
    profileReason: cpuRoom.host
      ? `${decision.reason}; the models run on the Mac's GPU through vllm-metal, beside it`
      : decision.reason,
    ...(cpuRoom.host ? { host: cpuRoom.host } : {}),
    ...(gatewayPort !== undefined
      ? {
          onDemand: {
            services: onDemand,
            // GPU models keep their planned share of the cards whether awake or not: none makes room for another.
            budgetBytes: cpuRoom.onDemand?.budgetBytes ?? 0,
            atOnce: cpuRoom.onDemand?.atOnce ?? onDemand.length,
            gatewayPort,
          },
        }
      : {}),
  };
}
