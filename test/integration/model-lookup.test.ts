import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configNumbers, weightBytes } from '../../electron/common/catalog/hf-config.js';
import { lookupModel } from '../../electron/node/hub/model-lookup.js';
import { HUB_REPOS, startHubDouble, type HubDouble, type HubRepo } from '../support/hub-double.js';
import { until } from '../support/wait.js';

let hub: HubDouble;
beforeAll(async () => {
  hub = await startHubDouble();
});
afterAll(() => hub.close());

describe('adding a model by its Hugging Face id (against a local double of the Hub routes @huggingface/hub calls)', () => {
  it("reads Qwen/Qwen3-4B's config.json and weight sizes: the numbers the planner needs", async () => {
    const before = hub.requests.length;
    const found = await lookupModel('Qwen/Qwen3-4B', { hubUrl: hub.url });
    expect(found).toEqual({
      ok: true,
      model: {
        id: 'Qwen/Qwen3-4B',
        gated: false,
        layers: 36,
        kvHeads: 8,
        headDim: 128,
        maxModelLen: 40960,
        weightsGiB: 7.5,
        weightFiles: 3,
        architecture: 'Qwen3ForCausalLM',
      },
    });
    // The file tree came in pages (the Link header was followed), and no token was sent where none was given.
    expect(hub.requests.slice(before).filter((r) => r.path.includes('/tree/main')).length).toBeGreaterThan(1);
    expect(hub.requests.slice(before).every((r) => !r.authorization)).toBe(true);
  });

  it('a gated model: without HF_TOKEN it says to accept the terms and set the token; with a token not granted, to request access', async () => {
    expect(await lookupModel('meta-llama/Llama-3.2-3B-Instruct', { hubUrl: hub.url })).toEqual({
      ok: false,
      reason: 'gated',
      message:
        "meta-llama/Llama-3.2-3B-Instruct is gated: accept its terms on the model's page, set HF_TOKEN in Settings › Secrets, then look it up again",
    });
    expect(
      await lookupModel('meta-llama/Llama-3.2-3B-Instruct', { hubUrl: hub.url, token: 'hf_someone_else' }),
    ).toMatchObject({
      ok: false,
      reason: 'gated',
      message: expect.stringMatching(/has not been granted access: request it/),
    });
  });

  it('a gated model with a granted token: read, marked gated, the original/ weights not counted twice', async () => {
    const before = hub.requests.length;
    const found = await lookupModel('meta-llama/Llama-3.2-3B-Instruct', {
      hubUrl: hub.url,
      token: 'hf_granted_token_for_tests',
    });
    expect(found).toMatchObject({
      ok: true,
      model: {
        gated: true,
        layers: 28,
        kvHeads: 8,
        headDim: 128,
        maxModelLen: 131072,
        weightFiles: 2,
        weightsGiB: 5.99,
      },
    });
    expect(
      hub.requests
        .slice(before)
        .filter((r) => r.path.includes('/resolve/'))
        .every((r) => r.authorization === 'Bearer hf_granted_token_for_tests'),
    ).toBe(true);
  });

  it('an unknown repo, a repo without config.json, the Hub unreachable: one plain answer each', async () => {
    expect(await lookupModel('nobody/no-such-model', { hubUrl: hub.url })).toMatchObject({
      ok: false,
      reason: 'unknown',
      message: expect.stringMatching(/has no model nobody\/no-such-model .*check the id$/),
    });
    expect(await lookupModel('someone/just-a-dataset-card', { hubUrl: hub.url })).toMatchObject({
      ok: false,
      reason: 'unreadable',
      message: expect.stringMatching(/has no config\.json.*enter its numbers by hand/),
    });
    expect(await lookupModel('Qwen/Qwen3-4B', { hubUrl: 'http://127.0.0.1:1' })).toMatchObject({
      ok: false,
      reason: 'offline',
      message: expect.stringMatching(
        /^http:\/\/127\.0\.0\.1:1 cannot be reached .*enter the numbers from its config\.json by hand$/,
      ),
    });
    await expect(lookupModel('not an id', { hubUrl: hub.url })).rejects.toThrow(
      /^id: a Hugging Face id such as "Qwen\/Qwen3-4B"$/,
    );
  });
});

describe('config.json as vLLM reads it', () => {
  it('KV heads default to the attention heads, head size to hidden ÷ heads, the context to the smallest length key', () => {
    expect(
      configNumbers({
        num_hidden_layers: 12,
        num_attention_heads: 12,
        hidden_size: 768,
        n_positions: 1024,
        max_position_embeddings: 2048,
      }),
    ).toEqual({ ok: true, model: { layers: 12, kvHeads: 12, headDim: 64, maxModelLen: 1024 } });
  });

  it("a multimodal model's text_config, and gpt-oss's sliding-window layers from layer_types", () => {
    expect(
      configNumbers({
        architectures: ['X'],
        text_config: {
          num_hidden_layers: 4,
          num_attention_heads: 8,
          num_key_value_heads: 2,
          head_dim: 64,
          max_position_embeddings: 8192,
        },
      }),
    ).toMatchObject({ ok: true, model: { layers: 4, kvHeads: 2, headDim: 64, maxModelLen: 8192 } });
    const gptOss = {
      num_hidden_layers: 4,
      num_attention_heads: 64,
      num_key_value_heads: 8,
      head_dim: 64,
      max_position_embeddings: 131072,
      sliding_window: 128,
      layer_types: ['sliding_attention', 'full_attention', 'sliding_attention', 'full_attention'],
    };
    expect(configNumbers(gptOss)).toMatchObject({ ok: true, model: { slidingWindow: { layers: 2, tokens: 128 } } });
  });

  it('says which numbers a config lacks', () => {
    expect(configNumbers({ num_attention_heads: 8 })).toEqual({
      ok: false,
      message: 'has no num_hidden_layers, head_dim, max_position_embeddings',
    });
  });

  it('weights: model*.safetensors over a consolidated copy, .bin where there is no safetensors, subfolders never', () => {
    expect(
      weightBytes([
        { path: 'consolidated.safetensors', size: 10 },
        { path: 'model-1.safetensors', size: 4 },
        { path: 'model-2.safetensors', size: 5 },
      ]),
    ).toEqual({ bytes: 9, files: 2 });
    expect(
      weightBytes([
        { path: 'pytorch_model.bin', size: 7 },
        { path: 'sub/model.safetensors', size: 100 },
      ]),
    ).toEqual({ bytes: 7, files: 1 });
    expect(weightBytes([{ path: 'README.md', size: 7 }])).toBeUndefined();
  });
});

describe('a lookup against a Hub (or HF_ENDPOINT mirror) that answers without end stays bounded', () => {
  let hostile: HubDouble;
  const qwen = HUB_REPOS['Qwen/Qwen3-4B'] as HubRepo;
  beforeAll(async () => {
    hostile = await startHubDouble({
      'evil/huge-config': { ...qwen, hostile: 'huge-config' },
      'evil/endless-tree': { ...qwen, hostile: 'endless-tree' },
      'evil/silent-config': { ...qwen, hostile: 'silent-config' },
    });
  });
  afterAll(() => hostile.close());

  it('a 1.5 GB config.json: refused once it passes 1 MiB, the connection dropped, the cause named', async () => {
    const found = await lookupModel('evil/huge-config', { hubUrl: hostile.url });
    expect(found).toEqual({
      ok: false,
      reason: 'unreadable',
      message: `${hostile.url} sent more than a model lookup needs for evil/huge-config: its config.json is larger than 1024 KiB; enter its numbers by hand`,
    });
    // What the double got onto the wire before Berth hung up: the limit plus what the sockets buffer, not 1.5 GB.
    await until(
      () => hostile.hostileBytesSent(),
      (sent) => sent > 0,
      2000,
      'the double to send',
    );
    expect(hostile.hostileBytesSent()).toBeLessThan(64 * 1024 ** 2);
  });

  it('a file list that pages forever: stopped at a page limit, with the cause named', async () => {
    const before = hostile.requests.length;
    const found = await lookupModel('evil/endless-tree', { hubUrl: hostile.url });
    expect(found).toMatchObject({
      ok: false,
      reason: 'unreadable',
      message: expect.stringMatching(
        /sent more than a model lookup needs for evil\/endless-tree: (it lists more than 20,000 files|its file list runs past 200 pages)/,
      ),
    });
    expect(hostile.requests.slice(before).filter((r) => r.path.includes('/tree/')).length).toBeLessThanOrEqual(201);
  });

  it('a config.json that never comes: the whole lookup ends at its time budget and says so (not "not JSON")', async () => {
    const found = await lookupModel('evil/silent-config', { hubUrl: hostile.url, totalMs: 1500 });
    expect(found).toEqual({
      ok: false,
      reason: 'offline',
      message: `${hostile.url} did not finish answering within 1.5 s: try again later, or enter the numbers from its config.json by hand`,
    });
  });
});
