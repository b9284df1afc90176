import Docker from 'dockerode';
import { describe, expect, it } from 'vitest';
import { ensureImage } from './images.js';
import { EngineError } from './errors.js';
import { startPullFailingEngine } from '../../../test/support/docker-engine-double.js';
import { planStack } from '../../common/planner/plan.js';
import { DEFAULT_SETTINGS } from '../../common/contracts/settings.js';
import { host } from '../../../test/support/hosts.js';
import { DEFAULT_IMAGES } from '../../common/catalog/images.js';

describe('getting an image', () => {
  it('reports a disk that fills up while pulling, with the fix', async () => {
    const engine = await startPullFailingEngine(
      'failed to register layer: write /var/lib/docker/overlay2/x/diff/usr/lib/libtorch.so: no space left on device',
    );
    try {
      const docker = new Docker({ host: '127.0.0.1', port: engine.port, protocol: 'http' });
      const service = planStack(host('server-64core'), DEFAULT_SETTINGS).services.find((s) => s.name === 'litellm');
      if (!service) throw new Error('no litellm in the plan');
      const error = (await ensureImage(docker, service, () => undefined).catch((e: unknown) => e)) as EngineError;
      expect(error).toBeInstanceOf(EngineError);
      expect(error.message).toBe(`the disk filled up while pulling ${DEFAULT_IMAGES.litellm} for litellm`);
      expect(error.fix).toBe('free space (docker system prune removes unused images) and run berth up again');
    } finally {
      await engine.close();
    }
  });
});
