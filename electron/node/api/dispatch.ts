import { API_CALLS, isApiMethod, type ApiResponse, type BerthApi } from '../../common/api/berth-api.js';
import { InputError, inputErrorFromZod } from '../../common/contracts/errors.js';
import { EngineError } from '../engine/errors.js';

/** One call from either transport: method known, arguments valid, errors returned as data with their fix. */
export async function dispatch(api: BerthApi, method: unknown, args: unknown): Promise<ApiResponse> {
  if (!isApiMethod(method)) return { ok: false, error: { message: `unknown call "${String(method)}"` } };
  const parsed = API_CALLS[method].safeParse(Array.isArray(args) ? args : []);
  if (!parsed.success) {
    const problem = inputErrorFromZod(parsed.error, method);
    return { ok: false, error: { message: problem.message, field: problem.field } };
  }
  try {
    const fn = api[method] as (...a: unknown[]) => Promise<unknown>;
    return { ok: true, value: (await fn.apply(api, parsed.data as unknown[])) ?? null };
  } catch (error) {
    if (error instanceof EngineError) return { ok: false, error: { message: error.message, fix: error.fix } };
    if (error instanceof InputError) return { ok: false, error: { message: error.message, field: error.field } };
    return { ok: false, error: { message: (error as Error).message ?? String(error) } };
  }
}
