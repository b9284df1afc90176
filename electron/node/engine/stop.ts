import type Docker from 'dockerode';
import { statusCode } from './errors.js';

/** Stops a container with a grace period before the kill; one that has stopped already (304) is stopped. */
export async function stopContainer(container: Docker.Container, graceS = 10): Promise<void> {
  await container.stop({ t: graceS }).catch((error: unknown) => {
    if (statusCode(error) !== 304) throw error;
  });
}
