import { enginePlatform, imageProblem, platformName, resolveImages } from '../../engine/image-preflight.js';
import type { Check } from '../check.js';

/** The same resolution `berth up` makes before it changes anything: here, in the registry for this platform, or not. */
export const imagesPresent: Check = {
  id: 'images-present',
  title: 'Images',
  applies: ({ plan, docker }) => plan !== undefined && docker !== undefined,
  async run({ plan, docker }) {
    if (!plan || !docker) return { status: 'ok', message: 'nothing to check' };
    const platform = await enginePlatform(docker);
    const resolutions = await resolveImages(docker, plan.services, platform);
    const problem = imageProblem(resolutions, platform);
    if (problem) return { status: 'fail', message: problem.message, fix: problem.fix };
    const fetch = resolutions.filter((r) => r.found === 'registry').map((r) => r.image);
    const build = resolutions
      .filter((r) => r.found === 'build')
      .map((r) => `${r.image} (built from your vllm checkout)`);
    const inRegistry = (image: string) => `${image} (in its registry for ${platformName(platform)})`;
    if (fetch.length || build.length) {
      return {
        status: 'warn',
        message: `not here yet: ${[...fetch.map(inRegistry), ...build].join(', ')}`,
        fix: 'berth up pulls or builds them; the first start takes longer',
      };
    }
    return { status: 'ok', message: `every image is present for ${platformName(platform)}` };
  },
};
