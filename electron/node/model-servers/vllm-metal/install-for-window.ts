import type { ActionResult, BerthEvent } from '../../../common/api/berth-api.js';
import type { StackSession } from '../../session/stack-session.js';
import { installVllmMetal } from './install.js';

/** The install running for a session: a second ask while it runs gets the same one. */
const running = new WeakMap<StackSession, Promise<ActionResult>>();

/**
 * The window's install of vllm-metal, one at a time: its lines as `install` events while it runs, then the machine
 * probed again so the plan places the models on the Mac's GPU.
 */
export function installForWindow(session: StackSession, emit: (event: BerthEvent) => void): Promise<ActionResult> {
  const now = running.get(session) ?? install(session, emit).finally(() => running.delete(session));
  running.set(session, now);
  return now;
}

async function install(session: StackSession, emit: (event: BerthEvent) => void): Promise<ActionResult> {
  const outcome = await installVllmMetal({
    home: session.home,
    facts: await session.facts(),
    env: session.env,
    onLine: (line) => emit({ type: 'install', line }),
  });
  emit({ type: 'install', done: { ok: outcome.ok, message: outcome.message } });
  if (outcome.ok) {
    session.refreshFacts();
    emit({ type: 'settings-changed' });
  }
  return {
    ok: outcome.ok,
    summary: outcome.message,
    failed: outcome.ok ? [] : [{ service: 'vllm-metal', message: outcome.message, fix: `read ${outcome.logFile}` }],
  };
}
