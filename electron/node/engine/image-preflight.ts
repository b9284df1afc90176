import type Docker from 'dockerode';
import type { PlannedService } from '../../common/contracts/stack-plan.js';
import { DEFAULT_IMAGES } from '../../common/catalog/images.js';
import { EngineError, dockerMessage, statusCode } from './errors.js';

/** What the engine runs: `linux/arm64` on an Apple Silicon Mac, `linux/amd64` on most servers. */
export interface EnginePlatform {
  os: string;
  architecture: string;
}

export type ImageResolution =
  | { image: string; services: string[]; found: 'local' | 'registry' | 'build' }
  | {
      image: string;
      services: string[];
      found: 'missing' | 'wrong-platform' | 'unreachable' | 'unreadable';
      detail: string;
      platforms?: string[];
    };

interface DistributionInspect {
  Platforms?: { architecture?: string; os?: string; variant?: string }[];
}

export function platformName(platform: EnginePlatform): string {
  return `${platform.os}/${platform.architecture}`;
}

/** The engine's platform, as Docker names it in manifests (amd64, arm64). */
export async function enginePlatform(docker: Docker): Promise<EnginePlatform> {
  const version = (await docker.version()) as { Os?: string; Arch?: string };
  return { os: version.Os ?? 'linux', architecture: version.Arch ?? 'amd64' };
}

/** Whether the engine has the image; a reference its parser refuses is said in Docker's words. */
async function presentLocally(docker: Docker, image: string): Promise<boolean | { unreadable: string }> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (statusCode(error) === 404) return false;
    const said = dockerMessage(error);
    const unreadable = /invalid reference format.*/.exec(said)?.[0];
    if (statusCode(error) === 400 && unreadable) return { unreadable: unreadable.trim() };
    throw error;
  }
}

/** Registry answers that mean "no such repository or tag", as registries and Docker word them. */
const NOT_FOUND = new RegExp(
  [
    'manifest unknown',
    'name unknown',
    'not found',
    'does not exist',
    'pull access denied',
    'unauthorized',
    'authentication required',
    'denied',
  ].join('|'),
  'i',
);
/** Answers that mean the registry could not be asked at all. */
const UNREACHABLE =
  /no such host|connection refused|i\/o timeout|timeout|network is unreachable|tls|certificate|server misbehaving/i;

async function resolveOne(
  docker: Docker,
  image: string,
  services: string[],
  platform: EnginePlatform,
): Promise<ImageResolution> {
  const present = await presentLocally(docker, image);
  if (typeof present === 'object') return { image, services, found: 'unreadable', detail: present.unreadable };
  if (present) return { image, services, found: 'local' };
  let inspect: DistributionInspect;
  try {
    // Asks the registry for the manifest (list) without pulling anything: which platforms the tag holds.
    inspect = (await docker.getImage(image).distribution({})) as DistributionInspect;
  } catch (error) {
    const dockerSaid = dockerMessage(error);
    const code = statusCode(error);
    const notFound = code === 404 || code === 401 || code === 403 || NOT_FOUND.test(dockerSaid);
    if (!UNREACHABLE.test(dockerSaid) && notFound) return { image, services, found: 'missing', detail: dockerSaid };
    return { image, services, found: 'unreachable', detail: dockerSaid };
  }
  const platforms = (inspect.Platforms ?? [])
    .filter((p) => p.os && p.architecture)
    .map((p) => `${p.os}/${p.architecture}${p.variant ? `/${p.variant}` : ''}`);
  const matches = (inspect.Platforms ?? []).some(
    (p) => p.os === platform.os && p.architecture === platform.architecture,
  );
  if (platforms.length > 0 && !matches)
    return { image, services, found: 'wrong-platform', detail: `it is built for ${platforms.join(', ')}`, platforms };
  return { image, services, found: 'registry' };
}

/**
 * Every image the services need, resolved before anything changes: present on the engine, built from a checkout, or
 * found in its registry for the engine's platform through the Engine API's distribution inspect, which reads the
 * manifest without pulling. Images are asked once each, all at once.
 */
export async function resolveImages(
  docker: Docker,
  services: readonly PlannedService[],
  platform: EnginePlatform,
): Promise<ImageResolution[]> {
  const byImage = new Map<string, string[]>();
  const built = new Map<string, string[]>();
  for (const service of services) {
    const target = service.build ? built : byImage;
    target.set(service.image, [...(target.get(service.image) ?? []), service.name]);
  }
  const resolved = await Promise.all([...byImage].map(([image, names]) => resolveOne(docker, image, names, platform)));
  return [
    ...resolved,
    ...[...built].map(([image, names]): ImageResolution => ({ image, services: names, found: 'build' })),
  ];
}

/** The first image that cannot be had, as one line naming the image, the platform and the fix. */
export function imageProblem(
  resolutions: readonly ImageResolution[],
  platform: EnginePlatform,
): EngineError | undefined {
  for (const r of resolutions) {
    if (!('detail' in r)) continue;
    const setting = `settings: "images": { "${r.services[0]}": … }`;
    const who = `${r.services.join(', ')}`;
    if (r.found === 'wrong-platform') {
      return new EngineError(
        `the image ${r.image} for ${who} has no ${platformName(platform)} build, which this engine needs (${r.detail})`,
        `set an image built for ${platformName(platform)} (${setting}); nothing was created or stopped`,
      );
    }
    if (r.found === 'unreadable') {
      return new EngineError(
        `the image ${r.image} for ${who} is not a reference Docker can read (${r.detail})`,
        `set one Docker can read, a lowercase name then :tag such as ${DEFAULT_IMAGES.grafana} (${setting}); ` +
          'nothing was created or stopped',
      );
    }
    if (r.found === 'missing') {
      return new EngineError(
        `the image ${r.image} for ${who} is not in its registry for ${platformName(platform)} (${r.detail})`,
        `check the name and tag, log in if the registry needs it (docker login, then docker pull ${r.image}` +
          `), or set another image (${setting}); nothing was created or stopped`,
      );
    }
    return new EngineError(
      `cannot reach the registry of ${r.image} for ${who} to check it for ${platformName(platform)} (${r.detail})`,
      `check this machine's network and the engine's proxy settings, or pull it yourself (docker pull ${r.image}` +
        '); nothing was created or stopped',
    );
  }
  return undefined;
}
