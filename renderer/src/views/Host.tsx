import type { Snapshot } from '../../../electron/common/api/berth-api.js';
import { formatGiB } from '../../../electron/common/units.js';

export function Host({ snapshot }: { snapshot: Snapshot }) {
  const { facts, plan } = snapshot;
  const engine = facts.engine;
  return (
    <section aria-label="Host">
      <dl className="facts">
        <dt>CPU</dt>
        <dd>{facts.cpu.brand}: {facts.cpu.physical} physical cores, {facts.cpu.logical} threads{facts.cpu.performanceCores ? ` (${facts.cpu.performanceCores} performance + ${facts.cpu.efficiencyCores ?? 0} efficiency)` : ''}</dd>
        <dt>Memory</dt>
        <dd>{formatGiB(facts.memory.totalBytes)} ({formatGiB(facts.memory.availableBytes)} free)</dd>
        <dt>GPUs</dt>
        <dd>{facts.gpus.length ? facts.gpus.map((g) => `${g.model}${g.memoryBytes ? ` ${formatGiB(g.memoryBytes)}` : ''}`).join(', ') : 'none found'}</dd>
        <dt>Docker</dt>
        <dd>{engine ? `${engine.kind} ${engine.version} at ${engine.endpoint}` : `not running: ${facts.engineProblem ?? snapshot.engine.problem ?? ''}`}</dd>
        {engine && (
          <>
            <dt>Containers can use</dt>
            <dd>{engine.cpus} CPUs and {formatGiB(engine.memoryBytes)}; {engine.gpuRuntime ? 'NVIDIA GPUs' : 'no GPU runtime'}</dd>
          </>
        )}
      </dl>
      <h2>Warnings</h2>
      {plan?.warnings.length ? plan.warnings.map((w) => <p className="warning" key={w.code}><strong>{w.code}</strong>: {w.message}</p>) : <p className="muted">None: the plan fits this machine.</p>}
    </section>
  );
}
