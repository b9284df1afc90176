import { getEventListeners } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamChat } from './chat.js';

/** An OpenAI-compatible endpoint that streams one word, then ends the reply as litellm does. */
let server: Server;
let baseUrl = '';

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    const chunk = { id: 'c', object: 'chat.completion.chunk', model: 'm', choices: [{ index: 0, delta: {} }] };
    res.write(`data: ${JSON.stringify({ ...chunk, choices: [{ index: 0, delta: { content: 'yes' } }] })}\n\n`);
    res.end(`data: ${JSON.stringify({ ...chunk, usage: { completion_tokens: 1 } })}\n\ndata: [DONE]\n\n`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('streamChat', () => {
  it('leaves no listener on the caller’s signal, however many chats share it (a trial sends 13 under one deadline)', async () => {
    const deadline = new AbortController();
    let text = '';
    for (let i = 0; i < 13; i++)
      await streamChat(
        { baseUrl, apiKey: 'k' },
        { streamId: 'chat-test', model: 'm', messages: [{ role: 'user', content: 'hi' }] },
        (piece) => {
          text += piece;
        },
        deadline.signal,
      );
    expect(text).toBe('yes'.repeat(13));
    // The SDK adds one to the signal it is given for each request and never takes it off: past 10, Node warns of a
    // leak (MaxListenersExceededWarning), and the listeners live as long as the caller's signal does.
    expect(getEventListeners(deadline.signal, 'abort')).toHaveLength(0);
  });

  it('still stops a chat when the caller’s signal aborts', async () => {
    const deadline = new AbortController();
    deadline.abort(new Error('the trial’s deadline passed'));
    await expect(
      streamChat(
        { baseUrl, apiKey: 'k' },
        { streamId: 'chat-test', model: 'm', messages: [{ role: 'user', content: 'hi' }] },
        () => undefined,
        deadline.signal,
      ),
    ).rejects.toThrow();
  });
});
