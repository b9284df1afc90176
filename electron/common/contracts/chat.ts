import { z } from 'zod';

export const ChatRequestSchema = z.object({
  /** Chosen by the caller, so no piece of the reply can arrive before the caller knows which stream it is. */
  streamId: z.string().regex(/^[\w-]{8,100}$/, 'letters, digits, "_" or "-", 8 to 100'),
  model: z.string().min(1).max(200),
  system: z.string().max(20_000).optional(),
  messages: z
    .array(z.object({ role: z.enum(['user', 'assistant']), content: z.string().max(200_000) }))
    .min(1)
    .max(500),
});

export type ChatRequest = z.infer<typeof ChatRequestSchema>;
