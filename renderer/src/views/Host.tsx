import { useState } from 'react';
import type { BerthApi, DoctorOutcome, Snapshot } from '../../../electron/common/api/berth-api.js';
import { formatGiB } from '../../../electron/common/units.js';
import { ApiError } from '../client.js';

const MARK = { ok: '✓', warn: '!', fail: '✗' } as const;

export function Host({ api, snapshot }: { api: BerthApi; snapshot: Snapshot }) {
  const { facts, plan } = snapshot;
  const [checks, setChecks] = useState<DoctorOutcome[] | string | null>(null);
  const runChecks = async () => {
    setChecks('Checking…');
    try {
      setChecks(await api.doctor());
    } catch (error) {
      setChecks(error instanceof ApiError ? error.message : String(error));
    }
  };
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
      <h2>Checks</h2>
      <p className="muted">
        The checks of <code>berth doctor</code>, each failing one with its fix.{' '}
        <button type="button" onClick={() => void runChecks()}>Run the checks</button>
      </p>
      {typeof checks === 'string' && <p role="status">{checks}</p>}
      {Array.isArray(checks) && (
        <ul className="checks" aria-label="Checks">
          {checks.map((c) => (
            <li key={c.id} data-status={c.status}>
              {MARK[c.status]} <strong>{c.title}</strong>: {c.message}
              {c.status !== 'ok' && c.fix && <div className="muted">fix: {c.fix}</div>}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
