import type { BerthEvent } from '../../common/api/berth-api.js';
import type { ChatRequest } from '../../common/contracts/chat.js';
import { InputError } from '../../common/contracts/errors.js';
import { EngineError } from '../engine/errors.js';
import { chatFailure, listModels, streamChat, type ChatTarget } from './chat.js';
import { trustedRemoteLitellm } from '../../common/litellm-url.js';
import { reachableUrl } from '../../common/status/service-state.js';
import type { StackSession } from '../session/stack-session.js';

/** Chats relayed to litellm with the master key, which never leaves this process; one stream per id. */
export class ChatRelay {
  private readonly chats = new Map<string, AbortController>();

  constructor(
    private readonly target: () => Promise<ChatTarget>,
    private readonly emit: (event: BerthEvent) => void,
  ) {}

  async models(): Promise<string[]> {
    const target = await this.target();
    try {
      return await listModels(target);
    } catch (error) {
      throw new EngineError(chatFailure(error, target, ''), 'start the stack, then reopen Chat');
    }
  }

  async send(request: ChatRequest): Promise<void> {
    const target = await this.target();
    const { streamId } = request;
    if (this.chats.has(streamId)) throw new InputError('streamId', `"${streamId}" is already streaming`);
    const abort = new AbortController();
    this.chats.set(streamId, abort);
    void streamChat(target, request, (delta) => this.emit({ type: 'chat', streamId, delta }), abort.signal)
      .then((stats) => this.emit({ type: 'chat', streamId, done: stats }))
      .catch((error: unknown) => {
        if (abort.signal.aborted)
          this.emit({ type: 'chat', streamId, done: { ttftMs: null, tokensPerS: null, tokens: 0 } });
        else this.emit({ type: 'chat', streamId, error: chatFailure(error, target, request.model) });
      })
      .finally(() => this.chats.delete(streamId));
  }

  stop(streamId: string): void {
    this.chats.get(streamId)?.abort();
  }

  stopAll(): void {
    for (const abort of this.chats.values()) abort.abort();
  }
}

/** The master key goes to the stack's own litellm, or to a remote one the user confirmed in Settings. */
export async function chatTarget(session: StackSession): Promise<ChatTarget> {
  const { settings } = await session.settings();
  const secrets = await session.secrets();
  const plan = await session.plan();
  const litellm = plan.services.find((s) => s.name === 'litellm');
  const urls = await session.reachable(plan);
  const baseUrl =
    trustedRemoteLitellm(settings) ??
    (litellm && reachableUrl(litellm, urls)?.replace(/\/$/, '')) ??
    'http://127.0.0.1:4000';
  return { baseUrl, apiKey: secrets.LITELLM_MASTER_KEY ?? '' };
}
