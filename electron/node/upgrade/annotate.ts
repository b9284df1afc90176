import type { Secrets } from '../../common/contracts/secrets.js';
import type { StackPlan } from '../../common/contracts/stack-plan.js';
import type { Trial } from '../../common/contracts/upgrade.js';

/**
 * Marks a trial's switch on Grafana's graphs: an organisation annotation (POST /api/annotations with `time` in
 * milliseconds, `text` and `tags`, https://grafana.com/docs/grafana/latest/developers/http_api/annotations/), tagged
 * `berth`, `upgrade` and the service, so every dashboard can show it. Grafana keeps it in its own database. Undefined
 * when it was added; else why not, for one line of the output.
 */
export async function annotateTrial(
  plan: StackPlan,
  secrets: Secrets,
  probeHost: string | undefined,
  trial: Trial,
): Promise<string | undefined> {
  const port = plan.services.find((s) => s.name === 'grafana')?.ports[0]?.host;
  if (!port || !probeHost) return 'Grafana is not in this stack or not reachable from here';
  const auth = Buffer.from(`admin:${secrets.GRAFANA_ADMIN_PASSWORD ?? ''}`).toString('base64');
  const words = trial.outcome === 'kept' ? `${trial.from} → ${trial.to}` : `${trial.to} tried, back to ${trial.from}`;
  try {
    const response = await fetch(`http://${probeHost}:${port}/api/annotations`, {
      method: 'POST',
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        time: Date.parse(trial.endedAt ?? trial.startedAt),
        tags: ['berth', 'upgrade', trial.service],
        text: `${trial.service}: ${words}. ${trial.reason ?? ''}`.trim(),
      }),
      signal: AbortSignal.timeout(5000),
    });
    return response.ok ? undefined : `Grafana answered ${response.status}`;
  } catch (error) {
    return `Grafana did not answer (${(error as Error).message})`;
  }
}
