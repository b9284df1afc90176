import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for the Hugging Face Hub, answering the routes @huggingface/hub calls for a model lookup the way
 * the Hub answers them: model info (`/api/models/{id}/revision/{rev}`), file resolution with a `Range: bytes=0-0`
 * probe then the file (`/{id}/resolve/{rev}/{path}`), and the file tree (`/api/models/{id}/tree/{rev}`, paged with a
 * `Link` header). Unknown repos are 404 `RepoNotFound`; a gated repo's files are 401 `GatedRepo` without a token and
 * 403 with one that was not granted access. Selected with HF_ENDPOINT.
 */

export interface HubRepo {
  config: object;
  files: { path: string; size: number }[];
  /** Tokens granted access; a gated repo without one refuses its files. */
  gated?: { granted: string[] };
  /**
   * A mirror (HF_ENDPOINT) that answers as no Hub does: `huge-config` streams a 1.5 GB config.json without a length,
   * `endless-tree` pages its file list forever, `silent-config` never answers for config.json.
   */
  hostile?: 'huge-config' | 'endless-tree' | 'silent-config';
}

const QWEN3_4B_CONFIG = {
  architectures: ['Qwen3ForCausalLM'],
  head_dim: 128,
  hidden_size: 2560,
  intermediate_size: 9728,
  max_position_embeddings: 40960,
  model_type: 'qwen3',
  num_attention_heads: 32,
  num_hidden_layers: 36,
  num_key_value_heads: 8,
  rope_scaling: null,
  sliding_window: null,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  vocab_size: 151936,
};

/** Repos as the Hub lists them: Qwen3-4B (config.json as published; weight sizes as its file page shows them), a gated Llama, a repo without config. */
export const HUB_REPOS: Record<string, HubRepo> = {
  'Qwen/Qwen3-4B': {
    config: QWEN3_4B_CONFIG,
    files: [
      { path: '.gitattributes', size: 1570 },
      { path: 'README.md', size: 16900 },
      { path: 'config.json', size: 726 },
      { path: 'generation_config.json', size: 239 },
      { path: 'model-00001-of-00003.safetensors', size: 3_960_000_000 },
      { path: 'model-00002-of-00003.safetensors', size: 3_990_000_000 },
      { path: 'model-00003-of-00003.safetensors', size: 99_600_000 },
      { path: 'model.safetensors.index.json', size: 32_900 },
      { path: 'tokenizer.json', size: 11_400_000 },
    ],
  },
  'meta-llama/Llama-3.2-3B-Instruct': {
    config: {
      architectures: ['LlamaForCausalLM'],
      head_dim: 128,
      hidden_size: 3072,
      max_position_embeddings: 131072,
      num_attention_heads: 24,
      num_hidden_layers: 28,
      num_key_value_heads: 8,
      torch_dtype: 'bfloat16',
    },
    files: [
      { path: 'config.json', size: 877 },
      { path: 'model-00001-of-00002.safetensors', size: 4_970_000_000 },
      { path: 'model-00002-of-00002.safetensors', size: 1_460_000_000 },
      { path: 'original/consolidated.00.pth', size: 6_430_000_000 },
    ],
    gated: { granted: ['hf_granted_token_for_tests'] },
  },
  'someone/just-a-dataset-card': { config: {}, files: [{ path: 'README.md', size: 100 }] },
};

export interface HubDouble {
  url: string;
  requests: { method: string; path: string; authorization?: string; range?: string }[];
  /** Bytes of hostile bodies the double managed to send before the client hung up. */
  hostileBytesSent: () => number;
  close(): Promise<void>;
}

function json(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
}

const PAGE = 4;

export async function startHubDouble(repos: Record<string, HubRepo> = HUB_REPOS): Promise<HubDouble> {
  const requests: HubDouble['requests'] = [];
  let hostileSent = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://hub.local');
    const authorization = req.headers.authorization;
    requests.push({
      method: req.method ?? 'GET',
      path: url.pathname + url.search,
      authorization,
      range: req.headers.range,
    });
    const token = authorization?.replace(/^Bearer /, '');
    const info = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const id = decodeURIComponent((info ?? tree ?? resolve)?.[1] ?? '');
    const repo = repos[id];
    if (!repo) return json(res, 404, { error: 'Repository not found' }, { 'x-error-code': 'RepoNotFound' });
    if (info)
      return json(res, 200, {
        _id: `id-${id}`,
        id,
        private: false,
        gated: repo.gated ? 'manual' : false,
        downloads: 1,
        likes: 1,
        lastModified: '2026-05-01T00:00:00.000Z',
        pipeline_tag: 'text-generation',
      });
    if (tree && repo.hostile === 'endless-tree') {
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const page = Array.from({ length: 100 }, (_, i) => ({
        type: 'file',
        oid: 'x',
        path: `shard-${cursor + i}.bin`,
        size: 1,
      }));
      return json(res, 200, page, {
        link: `<http://${req.headers.host}${url.pathname}?recursive=true&expand=false&cursor=${cursor + 100}>; rel="next"`,
      });
    }
    if (resolve && resolve[3] === 'config.json' && repo.hostile === 'silent-config') return;
    if (
      resolve &&
      resolve[3] === 'config.json' &&
      repo.hostile === 'huge-config' &&
      req.headers.range !== 'bytes=0-0'
    ) {
      res.writeHead(200, { 'content-type': 'application/json', etag: '"config"' });
      const chunk = Buffer.alloc(1024 * 1024, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 1.5e9) {
          sent += chunk.length;
          hostileSent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      res.on('close', () => (sent = Number.POSITIVE_INFINITY));
      res.write('{"num_hidden_layers": 28, "padding": "');
      return pump();
    }
    if (tree) {
      const cursor = Number(url.searchParams.get('cursor') ?? 0);
      const page = repo.files.slice(cursor, cursor + PAGE).map((f) => ({
        type: 'file',
        oid: 'x',
        path: f.path,
        size: f.size,
        ...(f.size > 10_000_000 ? { lfs: { oid: 'y', size: f.size, pointerSize: 134 } } : {}),
      }));
      const next: Record<string, string> =
        cursor + PAGE < repo.files.length
          ? {
              link: `<http://${req.headers.host}${url.pathname}?recursive=true&expand=false&cursor=${cursor + PAGE}>; rel="next"`,
            }
          : {};
      return json(res, 200, page, next);
    }
    if (resolve) {
      if (repo.gated && !repo.gated.granted.includes(token ?? '')) {
        return token
          ? json(
              res,
              403,
              { error: `Access to model ${id} is restricted and you are not in the authorized list.` },
              { 'x-error-code': 'GatedRepo' },
            )
          : json(
              res,
              401,
              {
                error: `Access to model ${id} is restricted. You must have access to it and be authenticated to access it.`,
              },
              { 'x-error-code': 'GatedRepo' },
            );
      }
      if (resolve[3] !== 'config.json' || !Object.keys(repo.config).length)
        return json(res, 404, { error: 'Entry not found' }, { 'x-error-code': 'EntryNotFound' });
      const body = Buffer.from(JSON.stringify(repo.config));
      if (req.headers.range === 'bytes=0-0') {
        res.writeHead(206, {
          'content-type': 'application/json',
          'content-range': `bytes 0-0/${body.length}`,
          etag: '"config"',
        });
        return res.end(body.subarray(0, 1));
      }
      res.writeHead(200, { 'content-type': 'application/json', etag: '"config"', 'content-length': body.length });
      return res.end(body);
    }
    json(res, 404, { error: 'no such route in the Hub double' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    hostileBytesSent: () => hostileSent,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
