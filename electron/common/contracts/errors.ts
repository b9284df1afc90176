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
