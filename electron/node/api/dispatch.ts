import { API_CALLS, isApiMethod, type ApiMethod, type ApiResponse, type BerthApi } from '../../common/api/berth-api.js';
import { InputError, inputErrorFromZod } from '../../common/contracts/errors.js';
import { EngineError } from '../engine/errors.js';

/** API_CALLS is checked against BerthApi (`satisfies`), so the parsed arguments are the method's parameters. */
function invoke<K extends ApiMethod>(api: BerthApi, method: K, args: Parameters<BerthApi[K]>): Promise<unknown> {
  return (api[method] as (...a: Parameters<BerthApi[K]>) => Promise<unknown>).apply(api, args);
}

/** One call from either transport: method known, arguments valid, errors returned as data with their fix. */
export async function dispatch(api: BerthApi, method: unknown, args: unknown): Promise<ApiResponse> {
  if (!isApiMethod(method)) return { ok: false, error: { message: `unknown call "${String(method)}"` } };
  const parsed = API_CALLS[method].safeParse(Array.isArray(args) ? args : []);
  if (!parsed.success) {
    const problem = inputErrorFromZod(parsed.error, method);
    return { ok: false, error: { message: problem.message, field: problem.field } };
  }
  try {
    return { ok: true, value: (await invoke(api, method, parsed.data as Parameters<BerthApi[typeof method]>)) ?? null };
  } catch (error) {
    if (error instanceof EngineError) return { ok: false, error: { message: error.message, fix: error.fix } };
    if (error instanceof InputError) return { ok: false, error: { message: error.message, field: error.field } };
    return { ok: false, error: { message: (error as Error).message ?? String(error) } };
  }
}
