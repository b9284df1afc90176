import OpenAI from 'openai';
import type { ChatRequest } from '../../common/contracts/chat.js';
import { openAiBase } from '../../common/litellm-url.js';

export interface ChatTarget {
  baseUrl: string;
  apiKey: string;
}

export interface ChatStats {
  ttftMs: number | null;
  tokensPerS: number | null;
  tokens: number;
}

/** The SDK joins paths onto its base, so a query in the URL (a proxy's token, say) travels as its default query. */
function clientFor(target: ChatTarget, timeoutMs: number): OpenAI {
  const base = new URL(openAiBase(target.baseUrl));
  const defaultQuery = Object.fromEntries(base.searchParams);
  base.search = '';
  return new OpenAI({
    baseURL: base.toString().replace(/\/+$/, ''),
    apiKey: target.apiKey,
    maxRetries: 0,
    timeout: timeoutMs,
    ...(Object.keys(defaultQuery).length ? { defaultQuery } : {}),
  });
}

/** The sentence a user sees when litellm or the model cannot answer. */
export function chatFailure(error: unknown, target: ChatTarget, model: string): string {
  const err = error as { status?: number; message?: string; cause?: { code?: string } };
  if (err.status === 401 || err.status === 403)
    return 'litellm refused the master key: set LITELLM_MASTER_KEY in Settings to the key the stack was started with';
  if (err.status === 404 || err.status === 400)
    return (
      `litellm does not serve "${model}" (${err.message ?? 'unknown model'}): start its model server, or pick ` +
      'another model'
    );
  if (err.status && err.status >= 500)
    return `the model behind litellm failed (${err.status}): its log says why (Logs → the model's server)`;
  if (/ECONNREFUSED|fetch failed|Connection error/i.test(`${err.message ?? ''} ${err.cause?.code ?? ''}`))
    return `litellm is not answering at ${target.baseUrl}: start the stack (Overview → Start all)`;
  // Whatever else the SDK or fetch said, without the key (an invalid header names its value).
  const text = err.message ?? String(error);
  return target.apiKey ? text.split(target.apiKey).join('<LITELLM_MASTER_KEY>') : text;
}

/**
 * Streams one reply from litellm with the master key, which stays in this process: the renderer only ever sees the
 * pieces. Uses the openai SDK's own SSE handling.
 */
export async function streamChat(
  target: ChatTarget,
  request: ChatRequest,
  onDelta: (text: string) => void,
  signal: AbortSignal,
  clock: () => number = () => performance.now(),
  /** Sampling beside the model's defaults: `berth upgrade` asks at temperature 0, for a few tokens. */
  sampling: { temperature?: number; max_tokens?: number } = {},
): Promise<ChatStats> {
  const client = clientFor(target, 600_000);
  const messages = [
    ...(request.system ? [{ role: 'system' as const, content: request.system }] : []),
    ...request.messages,
  ];
  const started = clock();
  let first: number | null = null;
  let tokens = 0;
  let usageTokens: number | null = null;
  const stream = await client.chat.completions.create(
    { model: request.model, messages, stream: true, stream_options: { include_usage: true }, ...sampling },
    // A signal of this request's own that follows the caller's: the SDK adds a listener to the signal it is given and
    // never removes it, so many chats under one caller's deadline (a trial's 13) would pile them up on it.
    { signal: AbortSignal.any([signal]) },
  );
  for await (const chunk of stream) {
    const text = chunk.choices[0]?.delta?.content ?? '';
    if (chunk.usage?.completion_tokens) usageTokens = chunk.usage.completion_tokens;
    if (!text) continue;
    first ??= clock();
    tokens += 1;
    onDelta(text);
  }
  const ended = clock();
  const count = usageTokens ?? tokens;
  return {
    ttftMs: first === null ? null : Math.round(first - started),
    tokensPerS:
      first !== null && ended > first && count > 1
        ? Math.round(((count - 1) / ((ended - first) / 1000)) * 10) / 10
        : null,
    tokens: count,
  };
}

export async function listModels(target: ChatTarget): Promise<string[]> {
  const client = clientFor(target, 5000);
  const models: string[] = [];
  for await (const model of client.models.list()) models.push(model.id);
  return models;
}
