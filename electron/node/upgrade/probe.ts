import { setTimeout as sleep } from 'node:timers/promises';
import { streamChat, type ChatTarget } from '../api/chat.js';

/**
 * What `berth upgrade` asks a model server, the same for the running image and the candidate: short prompts for its
 * speed, and questions with one short right answer for its answers. Asked at temperature 0 (greedy decoding), so an
 * image that answers differently computes differently, and a change is worth a look before it is kept.
 */
export const SPEED_PROMPTS = [
  'Write three sentences about the sea.',
  'List five colours, one per line.',
  'Explain in two sentences what a compiler does.',
] as const;

export const QUESTIONS = [
  'What is the capital of France? Answer with one word.',
  'What is 12 times 12? Answer with the number only.',
  'Which planet is closest to the Sun? Answer with one word.',
  'What is the chemical symbol for gold? Answer with the symbol only.',
  'How many days are in a leap year? Answer with the number only.',
  'What is the opposite of "cold"? Answer with one word.',
  'In which continent is Kenya? Answer with one word.',
  'What is the square root of 81? Answer with the number only.',
  'Which gas do plants take in from the air? Answer in at most three words.',
  'What is the first letter of the English alphabet? Answer with the letter only.',
] as const;

/** Tokens asked of each prompt and each question. */
const SPEED_TOKENS = 64;
const ANSWER_TOKENS = 16;

export interface ModelProbe {
  ttftSeconds?: number;
  tokensPerSecond?: number;
  answers: string[];
}

function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

async function ask(target: ChatTarget, model: string, prompt: string, maxTokens: number, signal: AbortSignal) {
  let text = '';
  const stats = await streamChat(
    target,
    { streamId: 'berth-upgrade-trial', model, messages: [{ role: 'user', content: prompt }] },
    (piece) => (text += piece),
    signal,
    undefined,
    { temperature: 0, max_tokens: maxTokens },
  );
  return { text: text.trim(), stats };
}

/**
 * Waits until the model answers a chat (a server answers /health before its first chat can be slow): the moment it
 * did, in milliseconds since the epoch.
 */
export async function firstAnswer(target: ChatTarget, model: string, signal: AbortSignal): Promise<number> {
  let last: unknown;
  while (!signal.aborted) {
    try {
      await ask(target, model, QUESTIONS[0], 1, signal);
      return Date.now();
    } catch (error) {
      last = error;
      await sleep(250, undefined, { signal }).catch(() => undefined);
    }
  }
  throw new Error(`it did not answer a chat in time${last ? ` (${(last as Error).message})` : ''}`);
}

/** The median time to the first token and decode rate over the speed prompts, and the answer to each question. */
export async function probeModel(target: ChatTarget, model: string, signal: AbortSignal): Promise<ModelProbe> {
  const ttft: number[] = [];
  const rates: number[] = [];
  for (const prompt of SPEED_PROMPTS) {
    const { stats } = await ask(target, model, prompt, SPEED_TOKENS, signal);
    if (stats.ttftMs !== null) ttft.push(stats.ttftMs / 1000);
    if (stats.tokensPerS !== null) rates.push(stats.tokensPerS);
  }
  const answers: string[] = [];
  for (const question of QUESTIONS) answers.push((await ask(target, model, question, ANSWER_TOKENS, signal)).text);
  const ttftSeconds = median(ttft);
  const tokensPerSecond = median(rates);
  return {
    ...(ttftSeconds !== undefined ? { ttftSeconds } : {}),
    ...(tokensPerSecond !== undefined ? { tokensPerSecond } : {}),
    answers,
  };
}
