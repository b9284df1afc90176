import type { z } from 'zod';

/** Bad input a user can fix: names the field and what is allowed. The CLI turns it into exit code 2. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    readonly allowed: string,
  ) {
    super(field ? `${field}: ${allowed}` : allowed);
    this.name = 'InputError';
  }
}

/** The first problem zod found, as one line that names the field. */
export function inputErrorFromZod(error: z.ZodError, prefix = ''): InputError {
  const issue = error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  const field = [prefix, path].filter(Boolean).join('.');
  return new InputError(field, issue?.message ?? 'invalid value');
}

/** Parse or throw an InputError naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, prefix = ''): z.infer<T> {
  const result = schema.safeParse(value);
  if (!result.success) throw inputErrorFromZod(result.error, prefix);
  return result.data;
}

/** Nesting deeper than any of Berth's own formats: settings, facts and API arguments are a few levels deep. */
export const MAX_INPUT_DEPTH = 32;
const RESERVED_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Refuses input shaped as no Berth format is, before anything walks it recursively: nesting past MAX_INPUT_DEPTH
 * (which would otherwise end in "Maximum call stack size exceeded" somewhere deeper) and keys that name an object's
 * prototype (`__proto__`, `constructor`, `prototype`), which a schema would otherwise drop without a word. Walks
 * without recursion.
 */
export function checkInputShape(value: unknown, where: string): void {
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  while (stack.length) {
    const item = stack.pop() as { value: unknown; path: string; depth: number };
    if (!item.value || typeof item.value !== 'object') continue;
    if (item.depth >= MAX_INPUT_DEPTH)
      throw new InputError(
        where,
        `is nested more than ${MAX_INPUT_DEPTH} levels deep${item.path ? ` (at ${item.path})` : ''}; no setting is`,
      );
    for (const key of Object.keys(item.value)) {
      const path = item.path ? `${item.path}.${key}` : key;
      if (RESERVED_KEYS.has(key))
        throw new InputError(`${where}${where ? ': ' : ''}${path}`, `"${key}" is not a name Berth accepts for a key`);
      stack.push({ value: (item.value as Record<string, unknown>)[key], path, depth: item.depth + 1 });
    }
  }
}
