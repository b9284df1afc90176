import type { Health } from '../contracts/stack-plan.js';

/** The services' health checks, as Docker runs them: the command, and its pace. */

export function pythonGet(port: number, path: string): string[] {
  return [
    'CMD',
    'python3',
    '-c',
    `import urllib.request; urllib.request.urlopen('http://localhost:${port}${path}', timeout=4)`,
  ];
}

/**
 * How often Docker checks a service once started, and after how many failures in a row it is unhealthy. A vLLM whose
 * core process (EngineCore) died answers /health with 503 (vllm/entrypoints/serve/instrumentator/health.py,
 * EngineDeadError); Docker waits the interval after each check ends, so a model server whose core dies just after a
 * pass fails at about 3 s and 6 s and is unhealthy then: failing in Berth within 10 s (the standard pace: up to 15).
 */
export const PACE = { standard: { intervalS: 5, retries: 3 }, model: { intervalS: 3, retries: 2 } };

export function health(test: string[], port: number, path: string, startPeriodS: number, pace = PACE.standard): Health {
  return { test, port, path, timeoutS: 5, startPeriodS, ...pace };
}
