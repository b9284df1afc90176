import { API_CALLS, isApiMethod, type ApiMethod, type ApiResponse, type BerthApi } from '../../common/api/berth-api.js';
import { InputError, checkInputShape, inputErrorFromZod } from '../../common/contracts/errors.js';
import { EngineError, statusCode } from '../engine/errors.js';

/** API_CALLS is checked against BerthApi (`satisfies`), so the parsed arguments are the method's parameters. */
function invoke<K extends ApiMethod>(api: BerthApi, method: K, args: Parameters<BerthApi[K]>): Promise<unknown> {
  return (api[method] as (...a: Parameters<BerthApi[K]>) => Promise<unknown>).apply(api, args);
}

/** One call from either transport: method known, arguments valid, errors returned as data with their fix. */
export async function dispatch(
  api: BerthApi,
  method: unknown,
  args: unknown,
  /** Where what the caller is not told goes: Docker's own words for a failure (the app's log, serve's stderr). */
  log?: (message: string) => void,
): Promise<ApiResponse> {
  if (!isApiMethod(method)) return { ok: false, error: { message: `unknown call "${String(method)}"` } };
  // Before any schema: a record would drop a "__proto__" key without a word, where a settings file is refused for it.
  try {
    for (const arg of Array.isArray(args) ? args : []) checkInputShape(arg, '');
  } catch (error) {
    const problem = error as InputError;
    return { ok: false, error: { message: problem.message, field: problem.field } };
  }
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
    // The engine's own error text (dockerode's, with an HTTP status) names its internals: the log has it, the caller
    // gets what failed and where to look.
    const status = statusCode(error);
    if (typeof status === 'number') {
      log?.(`${method}: the Docker engine answered ${status}: ${(error as Error).message}`);
      return {
        ok: false,
        error: {
          message: `the Docker engine refused ${method} (HTTP ${status})`,
          fix: "berth doctor checks the usual causes; Berth's log has the engine's own words",
        },
      };
    }
    return { ok: false, error: { message: (error as Error).message ?? String(error) } };
  }
}
