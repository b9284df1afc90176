// @vitest-environment happy-dom
import { act, cleanup, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiError } from '../client.js';
import { fakeApi, fakeClient, renderView } from '../testing.js';
import { Chat } from './Chat.js';

beforeEach(() => localStorage.clear());
afterEach(cleanup);

describe('Chat', () => {
  it("litellm down: the backend's one line, in an alert", async () => {
    const client = fakeClient(
      fakeApi({
        chatModels: async () =>
          Promise.reject(new ApiError('litellm is not answering at http://127.0.0.1:4000', 'start the stack')),
      }),
    );
    renderView(<Chat client={client} />);
    await act(async () => undefined);
    expect(screen.getByText('litellm is not answering at http://127.0.0.1:4000 — start the stack')).toBeTruthy();
  });

  it('sends the conversation and shows the streamed reply with its timings', async () => {
    const api = fakeApi({ chatModels: async () => ['qwen3-1.7b'], chatSend: async () => undefined });
    const client = fakeClient(api);
    renderView(<Chat client={client} />);
    await act(async () => undefined);
    fireEvent.change(screen.getByLabelText('Message'), { target: { value: 'Say hello' } });
    await act(async () => void fireEvent.click(screen.getByRole('button', { name: /Send/ })));
    const sent = api.calls.find((c) => c.method === 'chatSend')?.args[0] as {
      streamId: string;
      model: string;
      messages: unknown[];
    };
    expect(sent).toMatchObject({ model: 'qwen3-1.7b', messages: [{ role: 'user', content: 'Say hello' }] });
    await act(async () => {
      client.emit({ type: 'chat', streamId: sent.streamId, delta: 'Hello ' });
      client.emit({ type: 'chat', streamId: sent.streamId, delta: 'there.' });
      client.emit({ type: 'chat', streamId: sent.streamId, done: { ttftMs: 42, tokensPerS: 12.5, tokens: 3 } });
    });
    expect(screen.getByTestId('message-assistant').textContent).toMatch(/Hello there\./);
    expect(screen.getByTestId('reply-stats').textContent).toBe('first token 42 ms · 12.5 tokens/s · 3 tokens');
    // The conversation comes first and scrolls; the message box follows it, at the bottom (its layout is checked in
    // Chromium by test/e2e/dashboard.test.ts).
    const conversation = screen.getByTestId('conversation');
    expect(conversation.contains(screen.getByTestId('message-assistant'))).toBe(true);
    expect(
      conversation.compareDocumentPosition(screen.getByLabelText('Message')) & Node.DOCUMENT_POSITION_FOLLOWING,
    ).toBeTruthy();
  });
});
