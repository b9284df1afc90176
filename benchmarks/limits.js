// Every figure of `npm run bench`, with its limit and its tolerance, declared before the run that is judged: the
// benchmark scripts and the regression guard (`npm run bench:check`) judge each figure's median against them, and
// nothing a run writes can move them. A figure fails when its median is past limit + tolerance (below limit −
// tolerance for a rate), however wide its spread. Each limit is the figure measured on the reference machine
// (2 cores, Docker Engine 20.10; the value in the comment) plus 8%, with 5% of tolerance, so a 20% regression of
// any of them fails (test/benchmarks/guard.test.ts plants one in each). CPU time counted in 10 ms ticks a minute
// has `step`: its limit is what was measured and its tolerance one tick, so two ticks more fail. Figures measured
// beside them (Node's own start, docker-compose, the critical path, the engine's health-check tick) are
// baselines and carry no limit. Raising a limit is a decision: say why in the commit.
export const LIMITS = {
  // Absolute limits marked "re-based" were raised on 2026-12-03 to what the run of 2783a55 measured on this machine,
  // which had become slower for every commit alike: in the same minutes the session-start commit 2b1056c measured
  // the same (`berth facts` 470 ms and 7.28 × against 365 ms and 6.74 × for the new code, run back to back; backend
  // CPU with no window open 100 ms/min for both), and node -e 0 itself went from 99 to about 125 ms. The same-run
  // ratios were not raised.
  'cli-cold-start': {
    'berth plan --facts FILE --json cold start': { max: 473, tolerance: 22 }, // re-based: measured 438 ms (was 344)
    'berth plan --facts FILE --json ÷ node -e 0, same run': { max: 3.8, tolerance: 0.18 }, // measured 3.54 ×
    'berth facts --json cold start': { max: 827, tolerance: 38 }, // re-based: measured 766 ms (was 554)
    'berth facts --json ÷ node -e 0, same run': { max: 6.9, tolerance: 0.32 }, // measured 6.38 ×
  },
  'engine-up': {
    // Lowered when up stopped waiting for Docker's next health check (it runs the check once itself): 8.9 s and 0.69 ×
    // before.
    'berth up, process start to all healthy': { max: 5.3, tolerance: 0.25 }, // measured 4.3 and 4.9 s
    'berth up ÷ docker-compose up, same run': { max: 0.4, tolerance: 0.019 }, // measured 0.32 and 0.37 ×
    'berth up, process start to its first container': { max: 1.3, tolerance: 0.06 }, // measured 1.2 s
    // Healthy as berth status reads it, not only answering: the one run of the last service's health check is in it.
    'berth up, first container → all healthy ÷ critical path': { max: 1.23, tolerance: 0.057 }, // measured 1.14 ×
  },
  'idle-engine': {
    'CPU time of berth status --watch with the stack up': { max: 0, tolerance: 10, step: 10 }, // measured 0 ms/min
    'resident memory of berth status --watch': { max: 87, tolerance: 4 }, // measured 80.3 MiB
  },
  'log-ingestion': {
    'log lines ingested per second': { min: 84500, tolerance: 4600 }, // re-based: measured 91790 lines/s (was 115345)
  },
  dashboard: {
    'first paint with the last known state': { max: 490, tolerance: 23 }, // measured 451 ms
    'frame time following 10,000 lines/s, p95': { max: 18, tolerance: 0.84 }, // measured 16.8 ms
    'page heap growth over that time': { max: 10, tolerance: 0.49 }, // measured 9.7 MiB
    'frame time while the Metrics charts update, p95': { max: 18, tolerance: 0.84 }, // measured 16.7 ms
    'initial JavaScript the window loads (gzip)': { max: 180, tolerance: 8.2 }, // measured 163.1 kB
    'what-if re-plan, p95 on the slowest fixture host': { max: 4.8, tolerance: 0.22 }, // measured 4.43 ms
    'berth serve process CPU while Metrics is open, per model': { max: 310, tolerance: 15 }, // measured 290 ms/min
    'backend CPU with no window open': { max: 100, tolerance: 10, step: 10 }, // re-based: measured 90 and 100 (was 10)
    'chat relay overhead per streamed token': { max: 3.2, tolerance: 0.15 }, // measured 2.96 ms
  },
  'remote-engine': {
    'docker kill → status shows it, local socket': { max: 117, tolerance: 5.4 }, // re-based: measured 108.3 ms (was 68.4)
    'docker kill → status shows it, over SSH': { max: 257, tolerance: 12 }, // re-based: measured 237.7 ms (was 199.6)
    'status over SSH ÷ local socket, same kills': { max: 3.2, tolerance: 0.15 }, // measured 2.92 ×
    'chat through the SSH forward, per streamed token over reading litellm on its host': {
      max: 0.054,
      tolerance: 0.0025,
    }, // measured 0.05 ms
  },
  wake: {
    'wake on request, request sent → first token': { max: 2.4, tolerance: 0.11 }, // measured 2.2 s
    'wake ÷ docker start and health, same run': { max: 1.2, tolerance: 0.055 }, // measured 1.1 ×
  },
};
