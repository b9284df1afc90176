import { downloadFile, listFiles, modelInfo } from '@huggingface/hub';
import type { ModelLookup } from '../../common/contracts/model-lookup.js';
import { CustomModelSchema } from '../../common/contracts/settings.js';
import { InputError } from '../../common/contracts/errors.js';
import { configNumbers, weightBytes } from '../../common/catalog/hf-config.js';

export const DEFAULT_HUB = 'https://huggingface.co';

/**
 * What one lookup may cost, whoever answers (the Hub, a mirror in HF_ENDPOINT, or something posing as one): a model's
 * config.json is a few KiB (Qwen3-4B's is 726 bytes; the largest multimodal ones are tens of KiB), a page of the file
 * tree a few KiB, and the largest model repos list a few thousand files.
 */
export const LOOKUP_LIMITS = {
  totalMs: 30_000,
  configBytes: 1024 ** 2,
  responseBytes: 8 * 1024 ** 2,
  treePages: 200,
  files: 20_000,
} as const;

interface LookupOptions {
  /** HF_ENDPOINT, as Hugging Face's own tools read it; the Hub otherwise. */
  hubUrl?: string;
  /** HF_TOKEN, for gated repos. */
  token?: string;
  /** The whole lookup's time budget; LOOKUP_LIMITS.totalMs unless a test says otherwise. */
  totalMs?: number;
}

/** A limit the answer went past: the lookup stops there and says which. */
class OverLimit extends Error {}

const NO_BODY_STATUSES = new Set([101, 204, 205, 304]);

/** The response with its body read into memory, up to `limit` bytes; past that, the connection is dropped. */
async function boundedResponse(res: Response, limit: number, what: string, abort: AbortController): Promise<Response> {
  const declared = Number(res.headers.get('content-length') ?? Number.NaN);
  const refuse = () => {
    abort.abort();
    return new OverLimit(`${what} is larger than ${Math.round(limit / 1024)} KiB`);
  };
  if (Number.isFinite(declared) && declared > limit) throw refuse();
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = res.body?.getReader();
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > limit) {
        chunks.length = 0;
        await reader.cancel().catch(() => undefined);
        throw refuse();
      }
      chunks.push(value);
    }
  }
  return new Response(NO_BODY_STATUSES.has(res.status) ? null : Buffer.concat(chunks), {
    status: res.status,
    statusText: res.statusText,
    headers: res.headers,
  });
}

/** What went wrong with one call to the Hub: its HTTP status and Hugging Face's X-Error-Code, or no answer at all. */
interface Failure {
  status?: number;
  code?: string;
}

/**
 * The Hub's fetch as a lookup uses it: one time budget for the whole lookup, each answer read to a size limit (so
 * nothing is held once a lookup is refused), pages of the file tree counted, and a failure's status and error code
 * kept for the answer.
 */
function boundedHubFetch(totalMs: number): { fetch: typeof fetch; deadline: AbortSignal; last: () => Failure } {
  const deadline = AbortSignal.timeout(totalMs);
  let last: Failure = {};
  let treePages = 0;
  const hubFetch: typeof fetch = async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    const tree = /\/api\/models\/.+\/tree\//.test(url);
    if (tree && ++treePages > LOOKUP_LIMITS.treePages)
      throw new OverLimit(`its file list runs past ${LOOKUP_LIMITS.treePages} pages`);
    const config = /\/resolve\/[^/]+\/config\.json$/.test(new URL(url).pathname);
    const abort = new AbortController();
    const signal = AbortSignal.any([deadline, abort.signal, ...(init?.signal ? [init.signal] : [])]);
    try {
      const res = await fetch(input, { ...init, signal });
      if (!res.ok) last = { status: res.status, code: res.headers.get('x-error-code') ?? undefined };
      return await boundedResponse(
        res,
        config ? LOOKUP_LIMITS.configBytes : LOOKUP_LIMITS.responseBytes,
        config ? 'its config.json' : 'an answer',
        abort,
      );
    } catch (error) {
      if (!(error instanceof OverLimit)) last = {};
      throw error;
    }
  };
  return { fetch: hubFetch, deadline, last: () => last };
}

const unreadable = (message: string): ModelLookup => ({ ok: false, reason: 'unreadable', message });

/** The model's card, config.json and weight files, read through the bounded fetch. */
async function readModel(
  repo: string,
  common: { hubUrl: string; fetch: typeof fetch; accessToken?: string },
): Promise<ModelLookup> {
  const info = await modelInfo({ name: repo, ...common });
  const file = await downloadFile({ repo, path: 'config.json', ...common });
  if (!file)
    return unreadable(
      `${repo} has no config.json, so it is not a model vLLM loads by its id: enter its numbers by hand`,
    );
  // Read first: a time-out or an answer over its limit is said as such, not as "not JSON".
  const text = await file.text();
  let config: unknown;
  try {
    config = JSON.parse(text);
  } catch {
    return unreadable(`${repo}'s config.json is not JSON: enter its numbers by hand`);
  }
  const numbers = configNumbers(config);
  if (!numbers.ok) return unreadable(`${repo}'s config.json ${numbers.message}: enter its numbers by hand`);
  const files: { path: string; size: number }[] = [];
  for await (const entry of listFiles({ repo, recursive: true, ...common })) {
    if (entry.type !== 'file') continue;
    if (files.length >= LOOKUP_LIMITS.files)
      throw new OverLimit(`it lists more than ${LOOKUP_LIMITS.files.toLocaleString('en-US')} files`);
    files.push({ path: entry.path, size: entry.lfs?.size ?? entry.size });
  }
  const weights = weightBytes(files);
  if (!weights)
    return unreadable(`${repo} has no safetensors or PyTorch weights at its top level: enter its numbers by hand`);
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
}

/** A lookup that failed, said as one of the four plain answers from what the Hub (or the network) did. */
function failedLookup(
  error: unknown,
  at: { repo: string; where: string; totalMs: number; timedOut: boolean; last: Failure; token: boolean },
): ModelLookup {
  const { repo, where, last } = at;
  if (error instanceof OverLimit)
    return unreadable(
      `${where} sent more than a model lookup needs for ${repo}: ${error.message}; enter its numbers by hand`,
    );
  if (at.timedOut)
    return {
      ok: false,
      reason: 'offline',
      message:
        `${where} did not finish answering within ${at.totalMs / 1000} s: try again later, or enter the numbers ` +
        'from its config.json by hand',
    };
  if (last.status === 404 || last.code === 'RepoNotFound')
    return {
      ok: false,
      reason: 'unknown',
      message: `${where} has no model ${repo} (or it is private and HF_TOKEN cannot see it): check the id`,
    };
  if (last.code === 'GatedRepo' || last.status === 401 || last.status === 403)
    return {
      ok: false,
      reason: 'gated',
      message: at.token
        ? `${repo} is gated and your HF_TOKEN's account has not been granted access: request it on the ` +
          `model's page, then look it up again`
        : `${repo} is gated: accept its terms on the model's page, set HF_TOKEN in Settings › Secrets, ` +
          'then look it up again',
    };
  if (last.status)
    return unreadable(
      `${where} answered HTTP ${last.status} for ${repo}: enter its numbers by hand, or try again later`,
    );
  return {
    ok: false,
    reason: 'offline',
    message:
      `${where} cannot be reached (${(error as Error).message}): you may be offline; enter the numbers from ` +
      'its config.json by hand',
  };
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
  const totalMs = options.totalMs ?? LOOKUP_LIMITS.totalMs;
  const hub = boundedHubFetch(totalMs);
  try {
    return await readModel(repo, { hubUrl, fetch: hub.fetch, ...(accessToken ? { accessToken } : {}) });
  } catch (error) {
    const where = hubUrl === DEFAULT_HUB ? 'the Hugging Face Hub' : hubUrl;
    const timedOut = hub.deadline.aborted;
    return failedLookup(error, { repo, where, totalMs, timedOut, last: hub.last(), token: accessToken !== undefined });
  }
}
