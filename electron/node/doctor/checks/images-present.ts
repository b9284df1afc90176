import type { Check } from '../check.js';

export const imagesPresent: Check = {
  id: 'images-present',
  title: 'Images',
  applies: ({ plan, docker }) => plan !== undefined && docker !== undefined,
  async run({ plan, docker }) {
    const missing: string[] = [];
    for (const service of plan?.services ?? []) {
      const ok = await docker?.getImage(service.image).inspect().then(() => true, () => false);
      if (!ok) missing.push(`${service.image}${service.build ? ' (built from your vllm checkout)' : ''}`);
    }
    if (missing.length) return { status: 'warn', message: `not here yet: ${[...new Set(missing)].join(', ')}`, fix: 'berth up pulls or builds them; the first start takes longer' };
    return { status: 'ok', message: 'every image is present' };
  },
};
