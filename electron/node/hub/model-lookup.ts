import { downloadFile, listFiles, modelInfo } from '@huggingface/hub';
import type { ModelLookup } from '../../common/api/berth-api.js';
import { CustomModelSchema } from '../../common/contracts/settings.js';
import { InputError } from '../../common/contracts/errors.js';
import { configNumbers, weightBytes } from '../../common/catalog/hf-config.js';

export const DEFAULT_HUB = 'https://huggingface.co';
const TIMEOUT_MS = 15_000;

interface LookupOptions {
  /** HF_ENDPOINT, as Hugging Face's own tools read it; the Hub otherwise. */
  hubUrl?: string;
  /** HF_TOKEN, for gated repos. */
  token?: string;
}

/** What went wrong with one call to the Hub: its HTTP status and Hugging Face's X-Error-Code, or no answer at all. */
interface Failure {
  status?: number;
  code?: string;
}

/**
 * A model's numbers from the Hub, read with @huggingface/hub: its card's `gated` flag, config.json (layers, KV heads,
 * head size, context, sliding window) and the sizes of its weight files. Every failure is one of four plain answers.
 */
export async function lookupModel(id: string, options: LookupOptions = {}): Promise<ModelLookup> {
  const parsed = CustomModelSchema.shape.id.safeParse(id.trim());
  if (!parsed.success) throw new InputError('id', 'a Hugging Face id such as "Qwen/Qwen3-4B"');
  const repo = parsed.data;
  const hubUrl = (options.hubUrl || DEFAULT_HUB).replace(/\/+$/, '');
  const accessToken = options.token?.startsWith('hf_') ? options.token : undefined;
  let last: Failure = {};
  // Every call goes through here: a timeout, and the failure's status and error code kept for the message.
  const hubFetch: typeof fetch = async (input, init) => {
    try {
      const res = await fetch(input, { ...init, signal: AbortSignal.timeout(TIMEOUT_MS) });
      if (!res.ok) last = { status: res.status, code: res.headers.get('x-error-code') ?? undefined };
      return res;
    } catch (error) {
      last = {};
      throw error;
    }
  };
  const common = { hubUrl, fetch: hubFetch, ...(accessToken ? { accessToken } : {}) };
  const where = hubUrl === DEFAULT_HUB ? 'the Hugging Face Hub' : hubUrl;
  try {
    const info = await modelInfo({ name: repo, ...common });
    const file = await downloadFile({ repo, path: 'config.json', ...common });
    if (!file) return { ok: false, reason: 'unreadable', message: `${repo} has no config.json, so it is not a model vLLM loads by its id: enter its numbers by hand` };
    let config: unknown;
    try {
      config = JSON.parse(await file.text());
    } catch {
      return { ok: false, reason: 'unreadable', message: `${repo}'s config.json is not JSON: enter its numbers by hand` };
    }
    const numbers = configNumbers(config);
    if (!numbers.ok) return { ok: false, reason: 'unreadable', message: `${repo}'s config.json ${numbers.message}: enter its numbers by hand` };
    const files: { path: string; size: number }[] = [];
    for await (const entry of listFiles({ repo, recursive: true, ...common })) if (entry.type === 'file') files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size });
    const weights = weightBytes(files);
    if (!weights) return { ok: false, reason: 'unreadable', message: `${repo} has no safetensors or PyTorch weights at its top level: enter its numbers by hand` };
    return {
      ok: true,
      model: {
        id: repo,
        gated: info.gated !== false && info.gated !== undefined,
        ...numbers.model,
        weightsGiB: Math.ceil((weights.bytes / 1024 ** 3) * 100) / 100,
        weightFiles: weights.files,
      },
    };
  } catch (error) {
    if (last.status === 404 || last.code === 'RepoNotFound') {
      return { ok: false, reason: 'unknown', message: `${where} has no model ${repo} (or it is private and HF_TOKEN cannot see it): check the id` };
    }
    if (last.code === 'GatedRepo' || last.status === 401 || last.status === 403) {
      return accessToken
        ? { ok: false, reason: 'gated', message: `${repo} is gated and your HF_TOKEN's account has not been granted access: request it on the model's page, then look it up again` }
        : { ok: false, reason: 'gated', message: `${repo} is gated: accept its terms on the model's page, set HF_TOKEN in Settings › Secrets, then look it up again` };
    }
    if (last.status) return { ok: false, reason: 'unreadable', message: `${where} answered HTTP ${last.status} for ${repo}: enter its numbers by hand, or try again later` };
    return { ok: false, reason: 'offline', message: `${where} cannot be reached (${(error as Error).message}): you may be offline; enter the numbers from its config.json by hand` };
  }
}
