import { useEffect, useRef, useState } from 'react';
import Markdown from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import {
  Alert,
  Button,
  Group,
  NativeSelect,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  TextInput,
  Textarea,
} from '@mantine/core';
import { IconPlayerStop, IconPlus, IconSend } from '@tabler/icons-react';
import type { Client } from '../client.js';
import { ApiError } from '../client.js';

interface Message {
  role: 'user' | 'assistant';
  content: string;
  stats?: { ttftMs: number | null; tokensPerS: number | null; tokens: number };
  error?: string;
}

interface Conversation {
  id: string;
  model: string;
  system: string;
  messages: Message[];
}

const STORE = 'berth.conversations';

function load(): Conversation[] {
  try {
    return JSON.parse(localStorage.getItem(STORE) ?? '[]') as Conversation[];
  } catch {
    return [];
  }
}

function fresh(model: string): Conversation {
  return { id: `${Date.now()}`, model, system: '', messages: [] };
}

/** Chat with the stack's models through litellm; the backend relays the stream, so the master key stays there. */
/** A conversation with its last message changed (the reply being streamed). */
function withLastMessage(change: (m: Message) => Message): (c: Conversation) => Conversation {
  return (c) => ({ ...c, messages: c.messages.map((m, i) => (i === c.messages.length - 1 ? change(m) : m)) });
}

export function Chat({ client }: { client: Client }) {
  const [models, setModels] = useState<string[]>([]);
  const [modelsError, setModelsError] = useState<string | null>(null);
  const [conversations, setConversations] = useState<Conversation[]>(() => {
    const stored = load();
    return stored.length ? stored : [fresh('')];
  });
  const [currentId, setCurrentId] = useState(() => conversations[0]?.id ?? '');
  const [draft, setDraft] = useState('');
  const [streamId, setStreamId] = useState<string | null>(null);
  const streamRef = useRef<string | null>(null);
  const conversation = useRef<HTMLDivElement>(null);
  const current = conversations.find((c) => c.id === currentId) ?? conversations[0];

  useEffect(() => localStorage.setItem(STORE, JSON.stringify(conversations.slice(0, 50))), [conversations]);
  useEffect(() => {
    client.api.chatModels().then(
      (list) => {
        setModels(list);
        setConversations((all) => all.map((c) => (c.model ? c : { ...c, model: list[0] ?? '' })));
      },
      (e: unknown) => setModelsError(e instanceof ApiError ? `${e.message}${e.fix ? ` — ${e.fix}` : ''}` : String(e)),
    );
  }, [client]);

  const update = (change: (c: Conversation) => Conversation) =>
    setConversations((all) => all.map((c) => (c.id === current?.id ? change(c) : c)));
  const patchLast = (change: (m: Message) => Message) => update(withLastMessage(change));

  const currentConversation = current?.id;
  useEffect(
    () =>
      client.onEvent((event) => {
        const patchLast = (change: (m: Message) => Message) =>
          setConversations((all) => all.map((c) => (c.id === currentConversation ? withLastMessage(change)(c) : c)));
        if (event.type !== 'chat' || event.streamId !== streamRef.current) return;
        if (event.delta) patchLast((m) => ({ ...m, content: m.content + event.delta }));
        if (event.done) patchLast((m) => ({ ...m, stats: event.done }));
        if (event.error) patchLast((m) => ({ ...m, error: event.error }));
        if (event.done || event.error) {
          streamRef.current = null;
          setStreamId(null);
        }
      }),
    [client, currentConversation],
  );

  const send = async () => {
    if (!current || !draft.trim() || streamId) return;
    const messages: Message[] = [...current.messages, { role: 'user', content: draft.trim() }];
    update((c) => ({ ...c, messages: [...messages, { role: 'assistant', content: '' }] }));
    setDraft('');
    const id = crypto.randomUUID();
    streamRef.current = id;
    setStreamId(id);
    try {
      await client.api.chatSend({
        streamId: id,
        model: current.model,
        ...(current.system ? { system: current.system } : {}),
        messages: messages.filter((m) => !m.error).map((m) => ({ role: m.role, content: m.content })),
      });
    } catch (e) {
      streamRef.current = null;
      setStreamId(null);
      patchLast((m) => ({ ...m, error: e instanceof ApiError ? e.message : String(e) }));
    }
  };

  // The newest message in view as it streams in, as chat apps keep it.
  const newest = current?.messages.at(-1)?.content;
  useEffect(() => {
    const el = conversation.current;
    if (el) el.scrollTop = el.scrollHeight;
  }, [current?.messages.length, newest]);

  if (!current) return null;
  return (
    <Group component="section" aria-label="Chat" align="flex-start" gap="md" wrap="nowrap" className="chat">
      <Stack gap="xs" w={220} style={{ flexShrink: 0 }}>
        <Button
          variant="light"
          leftSection={<IconPlus size={16} aria-hidden />}
          onClick={() => {
            const c = fresh(models[0] ?? '');
            setConversations((all) => [c, ...all]);
            setCurrentId(c.id);
          }}
        >
          New chat
        </Button>
        <ScrollArea.Autosize mah="70vh">
          {conversations.map((c) => (
            <NavLink
              key={c.id}
              component="button"
              active={c.id === current.id}
              label={c.messages[0]?.content.slice(0, 40) || 'New chat'}
              onClick={() => setCurrentId(c.id)}
            />
          ))}
        </ScrollArea.Autosize>
      </Stack>
      <Stack gap="sm" className="chat-pane" style={{ flex: 1, minWidth: 0 }}>
        {modelsError && (
          <Alert color="red" role="alert">
            {modelsError}
          </Alert>
        )}
        <Group gap="xs" wrap="nowrap">
          <NativeSelect
            value={current.model}
            onChange={(e) => {
              const value = e.currentTarget.value;
              update((c) => ({ ...c, model: value }));
            }}
            aria-label="Model"
            data={
              [...new Set([current.model, ...models].filter(Boolean))].length
                ? [...new Set([current.model, ...models].filter(Boolean))]
                : ['']
            }
            w={220}
          />
          <TextInput
            style={{ flex: 1 }}
            placeholder="System prompt"
            value={current.system}
            onChange={(e) => {
              const value = e.currentTarget.value;
              update((c) => ({ ...c, system: value }));
            }}
            aria-label="System prompt"
          />
        </Group>
        {/* The conversation fills the pane and scrolls; the message box stays at the bottom, as in every chat app. */}
        <div className="chat-conversation" ref={conversation} data-testid="conversation">
          <ol className="messages">
            {current.messages.map((m, i) => (
              <li key={i} className={`message ${m.role}`} data-testid={`message-${m.role}`}>
                {m.role === 'assistant' ? (
                  <Markdown rehypePlugins={[rehypeHighlight]}>{m.content}</Markdown>
                ) : (
                  <p>{m.content}</p>
                )}
                {m.error && (
                  <Alert color="red" role="alert">
                    {m.error}
                  </Alert>
                )}
                {m.stats && (
                  <Text size="xs" c="dimmed" data-testid="reply-stats">
                    {m.stats.ttftMs !== null ? `first token ${m.stats.ttftMs} ms` : ''}
                    {m.stats.tokensPerS !== null ? ` · ${m.stats.tokensPerS} tokens/s` : ''}
                    {` · ${m.stats.tokens} tokens`}
                  </Text>
                )}
              </li>
            ))}
          </ol>
        </div>
        <form
          className="chat-composer"
          onSubmit={(e) => {
            e.preventDefault();
            void send();
          }}
        >
          <Group align="flex-end" gap="xs" wrap="nowrap">
            <Textarea
              style={{ flex: 1 }}
              autosize
              minRows={2}
              maxRows={8}
              value={draft}
              onChange={(e) => setDraft(e.currentTarget.value)}
              placeholder="Message"
              aria-label="Message"
              onKeyDown={(e) => {
                if (e.key === 'Enter' && !e.shiftKey) {
                  e.preventDefault();
                  void send();
                }
              }}
            />
            {streamId ? (
              <Button
                type="button"
                color="red"
                variant="light"
                leftSection={<IconPlayerStop size={16} aria-hidden />}
                onClick={() => void client.api.chatStop(streamId)}
              >
                Stop
              </Button>
            ) : (
              <Button type="submit" leftSection={<IconSend size={16} aria-hidden />} disabled={!current.model}>
                Send
              </Button>
            )}
          </Group>
        </form>
      </Stack>
    </Group>
  );
}
