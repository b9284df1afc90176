import type { ModelNumbers } from '../contracts/model-numbers.js';

/**
 * The numbers the planner sizes a model from, read from a Hugging Face config.json the way vLLM reads them: the text
 * model's config where the model has one (`text_config`), KV heads defaulting to the attention heads, head size to
 * hidden size ÷ heads, the context to the smallest of the length keys vLLM looks at, and the sliding-window layers
 * from `layer_types`.
 */

export interface ConfigNumbers extends ModelNumbers {
  architecture?: string;
}

/** The keys vLLM takes a model's length from; the smallest one present wins (vllm/config: _get_and_verify_max_len). */
const LENGTH_KEYS = [
  'max_position_embeddings',
  'n_positions',
  'max_seq_len',
  'seq_length',
  'model_max_length',
  'max_sequence_length',
  'max_seq_length',
  'seq_len',
];

const positiveInt = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isInteger(v) && v > 0 ? v : undefined;

export function configNumbers(config: unknown): { ok: true; model: ConfigNumbers } | { ok: false; message: string } {
  if (!config || typeof config !== 'object') return { ok: false, message: 'is not an object' };
  const top = config as Record<string, unknown>;
  const c = (
    top.text_config && typeof top.text_config === 'object'
      ? { ...top, ...(top.text_config as Record<string, unknown>) }
      : top
  ) as Record<string, unknown>;
  const layers = positiveInt(c.num_hidden_layers) ?? positiveInt(c.n_layer) ?? positiveInt(c.num_layers);
  const heads = positiveInt(c.num_attention_heads) ?? positiveInt(c.n_head);
  const hidden = positiveInt(c.hidden_size) ?? positiveInt(c.n_embd) ?? positiveInt(c.d_model);
  const kvHeads = positiveInt(c.num_key_value_heads) ?? positiveInt(c.multi_query_group_num) ?? heads;
  const headDim = positiveInt(c.head_dim) ?? (hidden && heads && hidden % heads === 0 ? hidden / heads : undefined);
  const lengths = LENGTH_KEYS.map((k) => positiveInt(c[k])).filter((v): v is number => v !== undefined);
  const maxModelLen = lengths.length ? Math.min(...lengths) : undefined;
  const missing = [
    !layers && 'num_hidden_layers',
    !kvHeads && 'num_key_value_heads',
    !headDim && 'head_dim',
    !maxModelLen && 'max_position_embeddings',
  ].filter(Boolean);
  if (missing.length || !layers || !kvHeads || !headDim || !maxModelLen)
    return { ok: false, message: `has no ${missing.join(', ')}` };
  const types = Array.isArray(c.layer_types) ? c.layer_types : [];
  const sliding = types.filter((t) => t === 'sliding_attention').length;
  const window = positiveInt(c.sliding_window);
  const architecture =
    Array.isArray(top.architectures) && typeof top.architectures[0] === 'string' ? top.architectures[0] : undefined;
  return {
    ok: true,
    model: {
      layers,
      kvHeads,
      headDim,
      maxModelLen: Math.max(256, maxModelLen),
      ...(sliding > 0 && sliding < layers && window ? { slidingWindow: { layers: sliding, tokens: window } } : {}),
      ...(architecture ? { architecture } : {}),
    },
  };
}

/**
 * The weights vLLM loads: the safetensors at the repo's top level (`model*.safetensors` where the repo also ships a
 * consolidated copy), else the PyTorch .bin files. Subfolders (`original/`) hold other formats and are left out.
 */
export function weightBytes(
  files: readonly { path: string; size: number }[],
): { bytes: number; files: number } | undefined {
  const top = files.filter((f) => !f.path.includes('/'));
  const safetensors = top.filter((f) => f.path.endsWith('.safetensors'));
  const hf = safetensors.filter((f) => f.path.startsWith('model'));
  const chosen = hf.length
    ? hf
    : safetensors.length
      ? safetensors
      : top.filter((f) => /^pytorch_model.*\.bin$/.test(f.path));
  if (!chosen.length) return undefined;
  return { bytes: chosen.reduce((sum, f) => sum + f.size, 0), files: chosen.length };
}
