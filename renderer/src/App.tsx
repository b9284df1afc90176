import { useEffect, useState } from 'react';
import type { HostFacts } from '../../electron/common/contracts/host-facts.js';
import type { StackPlan } from '../../electron/common/contracts/stack-plan.js';
import { formatGiB, formatTokens } from '../../electron/common/units.js';
import './api.js';

type Overview = { facts: HostFacts; plan: StackPlan };

/** The plan for this machine: which service gets what, and why (hover a row). */
export function App() {
  const [overview, setOverview] = useState<Overview | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!window.berth) {
      setError('Berth’s background process is not connected.');
      return;
    }
    window.berth.overview().then((result) => ('error' in result ? setError(result.error) : setOverview(result)), (e: Error) => setError(e.message));
  }, []);

  if (error) return <p role="alert">{error}</p>;
  if (!overview) return <p className="muted">Looking at this machine…</p>;
  const { facts, plan } = overview;
  return (
    <main>
      <h1>Berth</h1>
      <p className="muted">
        {facts.engine ? `Docker ${facts.engine.version}: ${facts.engine.cpus} CPUs, ${formatGiB(facts.engine.memoryBytes)} for containers` : `No Docker engine: ${facts.engineProblem ?? ''}`} · {plan.profileReason}
      </p>
      {plan.warnings.map((w) => (
        <p className="warning" key={w.code}>{w.message}</p>
      ))}
      <table>
        <thead>
          <tr><th>Service</th><th>Device</th><th>Cores</th><th>KV cache</th><th>Context</th><th>GPU share</th><th>Port</th></tr>
        </thead>
        <tbody>
          {plan.services.map((s) => (
            <tr key={s.name} title={s.reasons.join('\n')}>
              <td>{s.name}</td>
              <td>{s.model?.device ?? s.role}</td>
              <td>{s.cpuset ?? '–'}</td>
              <td>{s.kvCacheGiB ? `${s.kvCacheGiB} GiB` : '–'}</td>
              <td>{s.model ? formatTokens(s.model.maxModelLen) : '–'}</td>
              <td>{s.gpuMemoryUtilization ?? '–'}</td>
              <td>{s.ports.map((p) => p.host).join(', ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
