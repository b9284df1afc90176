import type { Check } from '../check.js';

export const hfToken: Check = {
  id: 'hf-token',
  title: 'Hugging Face token for gated models',
  applies: ({ plan }) => plan !== undefined,
  async run({ plan, secrets, secretsFile }) {
    const gated = (plan?.services ?? []).filter((s) => s.model?.gated);
    if (!gated.length) return { status: 'ok', message: 'no gated model in the plan' };
    if (!secrets.HF_TOKEN && secretsFile.locked) {
      return {
        status: 'warn',
        message:
          `${gated.map((s) => s.name).join(', ')} need HF_TOKEN, which may be in the app's keychain where this ` +
          'berth cannot look',
        fix: 'run the berth inside the app, or set HF_TOKEN in the environment',
      };
    }
    if (!secrets.HF_TOKEN) {
      return {
        status: 'fail',
        message:
          `${gated.map((s) => s.name).join(', ')} ${gated.length > 1 ? 'are' : 'is'} gated and HF_TOKEN is not ` +
          'set',
        fix: "create a token at huggingface.co/settings/tokens, accept the model's license, and set HF_TOKEN",
      };
    }
    return { status: 'ok', message: `HF_TOKEN is set for ${gated.map((s) => s.name).join(', ')}` };
  },
};
