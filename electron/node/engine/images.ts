import type Docker from 'dockerode';
import type { PlannedService } from '../../common/contracts/stack-plan.js';
import type { ProgressListener } from '../../common/contracts/progress.js';
import { EngineError, dockerMessage, statusCode } from './errors.js';

async function present(docker: Docker, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (error) {
    if (statusCode(error) === 404) return false;
    throw error;
  }
}

function pullFailure(service: string, image: string, dockerSaid: string): EngineError {
  if (/no space left on device/i.test(dockerSaid)) {
    return new EngineError(
      `the disk filled up while pulling ${image} for ${service}`,
      'free space (docker system prune removes unused images) and run berth up again',
    );
  }
  return new EngineError(
    `the image ${image} for ${service} cannot be had: ${dockerSaid}`,
    'check the name and your network, log in if the registry needs it (docker login), or set another image ' +
      `(settings: "images": { "${service}": … })`,
  );
}

interface PullProgress {
  id?: string;
  status?: string;
  error?: string;
  progressDetail?: { current?: number; total?: number };
}

/** Pulls the image, reporting one percentage over all layers' bytes. */
async function pull(docker: Docker, service: string, image: string, emit: ProgressListener): Promise<void> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(image)) as NodeJS.ReadableStream;
  } catch (error) {
    throw pullFailure(service, image, dockerMessage(error));
  }
  const layers = new Map<string, { current: number; total: number }>();
  let reported = -1;
  await new Promise<void>((resolve, reject) =>
    docker.modem.followProgress(
      stream,
      (error: Error | null, output: PullProgress[]) => {
        const failed = error?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(pullFailure(service, image, failed));
        else resolve();
      },
      (event: PullProgress) => {
        if (!event.id) return;
        const layer = layers.get(event.id) ?? { current: 0, total: 0 };
        if (event.status === 'Downloading' && event.progressDetail?.total) {
          layer.current = event.progressDetail.current ?? 0;
          layer.total = event.progressDetail.total;
        } else if (
          event.status === 'Download complete' ||
          event.status === 'Already exists' ||
          event.status === 'Pull complete'
        ) {
          layer.current = layer.total;
        }
        layers.set(event.id, layer);
        const total = [...layers.values()].reduce((s, l) => s + l.total, 0);
        const current = [...layers.values()].reduce((s, l) => s + l.current, 0);
        const percent = total ? Math.floor((current / total) * 100) : 0;
        if (percent !== reported) {
          reported = percent;
          emit({ kind: 'pulling', service, image, percent });
        }
      },
    ),
  );
}

/** Builds the image from a local checkout (BuildKit), reporting each step. */
async function build(docker: Docker, service: PlannedService, emit: ProgressListener): Promise<void> {
  const recipe = service.build;
  if (!recipe) return;
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.buildImage(
      { context: recipe.context, src: ['.'] },
      // BuildKit (version 2): vllm's Dockerfile.cpu uses cache mounts the classic builder lacks.
      {
        t: service.image,
        dockerfile: recipe.dockerfile,
        target: recipe.target,
        platform: recipe.platform,
        buildargs: recipe.args,
        rm: true,
        forcerm: true,
        version: '2',
      } as Docker.ImageBuildOptions,
    )) as NodeJS.ReadableStream;
  } catch (error) {
    throw new EngineError(
      `cannot build ${service.image} from ${recipe.context}: ${dockerMessage(error)}`,
      'check that settings.vllmSource is a vllm checkout with docker/Dockerfile.cpu',
    );
  }
  // dockerode's followProgress decodes BuildKit's status messages into lines.
  const follow = (docker as unknown as { followProgress: Docker['modem']['followProgress'] }).followProgress.bind(
    docker,
  );
  await new Promise<void>((resolve, reject) =>
    follow(
      stream,
      (error: Error | null, output: { error?: string }[]) => {
        const failed = error?.message ?? output.find((o) => o.error)?.error;
        if (failed)
          reject(
            new EngineError(
              `building ${service.image} from ${recipe.context} failed: ${failed.trim()}`,
              'read the build output above; lower max_jobs if the build ran out of memory',
            ),
          );
        else resolve();
      },
      (event: { stream?: string }) => {
        const line = event.stream?.trim();
        if (line) emit({ kind: 'building', service: service.name, image: service.image, message: line });
      },
    ),
  );
}

/** The service's image is present, built from a checkout or pulled. */
export async function ensureImage(docker: Docker, service: PlannedService, emit: ProgressListener): Promise<void> {
  if (await present(docker, service.image)) return;
  if (service.build) await build(docker, service, emit);
  else await pull(docker, service.name, service.image, emit);
}
