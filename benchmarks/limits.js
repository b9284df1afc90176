// Every figure of `npm run bench`, with its limit and its tolerance, declared before the run that is judged: the
// benchmark scripts and the regression guard (`npm run bench:check`) judge each figure's median against them, and
// nothing a run writes can move them. A figure fails when its median is past limit + tolerance (below limit −
// tolerance for a rate), however wide its spread. Each limit is the figure measured on the reference machine
// (2 cores, Docker Engine 20.10; the value in the comment) plus 8%, with 5% of tolerance, so a 20% regression of
// any of them fails (test/benchmarks/guard.test.ts plants one in each). CPU time counted in 10 ms ticks a minute
// has `step`: its limit is what was measured and its tolerance one tick, so two ticks more fail. Figures measured
// beside them (Node's own start, docker-compose, the critical path, the engine's health-check tick) are
// baselines and carry no limit. Raising a limit is a decision: say why in the commit.
//
// Reference run: 2599c15, 2026-12-06, AMD EPYC × 2 cores, 24 GiB, Docker Engine 20.10.24 (it replaced 93752ef's,
// whose value follows "was"). 93752ef's run predated 2599c15's changes to `up` (its ratio to the critical path,
// 1.12, was over issue 22's 1.05), and this machine measured faster: `node -e 0` 79 ms against about 125, the cold
// starts 252 and 459 ms against 422 and 772. One figure of this run was over 93752ef's limit: SSH ÷ local, 2.84 ×
// against 2.6 + 0.12, with both of its terms faster than before (local 62.2 ms against 116.5, SSH 176.7 against
// 279.6: the hop itself 114 ms against 163); the local figure has measured 68.4, 116.5 and 62.2 ms in three runs, so
// the ratio swings with it (2.92, 2.4, 2.84). It is re-based like the rest, not hidden.
export const LIMITS = {
  'cli-cold-start': {
    'berth plan --facts FILE --json cold start': { max: 270, tolerance: 14 }, // measured 252 ms (was 422)
    'berth plan --facts FILE --json ÷ node -e 0, same run': { max: 3.7, tolerance: 0.19 }, // measured 3.44 × (was 3.45)
    'berth facts --json cold start': { max: 500, tolerance: 25 }, // measured 459 ms (was 772)
    'berth facts --json ÷ node -e 0, same run': { max: 6.8, tolerance: 0.34 }, // measured 6.33 × (was 5.99)
  },
  'engine-up': {
    // up no longer waits for Docker's next health check (it runs the check once itself): 8.9 s and 0.69 × before.
    // It returns at the last answer once each image's check has passed (kept): 4.7 s and 0.36 × at 93752ef.
    'berth up, process start to all healthy': { max: 3.5, tolerance: 0.18 }, // measured 3.2 s (was 4.7)
    'berth up ÷ docker-compose up, same run': { max: 0.29, tolerance: 0.014 }, // measured 0.27 × (was 0.36)
    'berth up, process start to its first container': { max: 0.76, tolerance: 0.038 }, // measured 0.7 s (was 1.1)
    // Issue 22's bound, not a measurement plus 8%: healthy as berth status reads it within 1.05 × the stack's own chain
    // (1.12 × at 93752ef, when up still ran the last service's health check after its answer).
    'berth up, first container → all healthy ÷ critical path': { max: 1.05, tolerance: 0 }, // measured 1.02 ×
  },
  'idle-engine': {
    'CPU time of berth status --watch with the stack up': { max: 0, tolerance: 10, step: 10 }, // measured 0 ms/min
    'resident memory of berth status --watch': { max: 85, tolerance: 4.3 }, // measured 79.1 MiB (was 76.6)
  },
  'log-ingestion': {
    'log lines ingested per second': { min: 130000, tolerance: 6500 }, // measured 139405 lines/s (was 104157)
  },
  dashboard: {
    'first paint with the last known state': { max: 380, tolerance: 19 }, // measured 355 ms (was 563)
    'frame time following 10,000 lines/s, p95': { max: 18, tolerance: 0.9 }, // measured 16.7 ms (was 16.8)
    'page heap growth over that time': { max: 0.43, tolerance: 0.022 }, // measured 0.4 MiB after a full GC (was −6)
    'frame time while the Metrics charts update, p95': { max: 18, tolerance: 0.9 }, // measured 16.7 ms (was 16.8)
    'initial JavaScript the window loads (gzip)': { max: 180, tolerance: 9 }, // measured 166.1 kB
    'what-if re-plan, p95 on the slowest fixture host': { max: 1.5, tolerance: 0.075 }, // measured 1.39 ms (was 8.1)
    'berth serve process CPU while Metrics is open, per model': { max: 240, tolerance: 12 }, // measured 220 ms/min (was 250)
    'backend CPU with no window open': { max: 10, tolerance: 10, step: 10 }, // measured 10 ms/min (was 70)
    'chat relay overhead per streamed token': { max: 1.3, tolerance: 0.065 }, // measured 1.23 ms (was 1.68)
  },
  'remote-engine': {
    'docker kill → status shows it, local socket': { max: 67, tolerance: 3.4 }, // measured 62.2 ms (was 116.5)
    'docker kill → status shows it, over SSH': { max: 190, tolerance: 9.5 }, // measured 176.7 ms (was 279.6)
    'status over SSH ÷ local socket, same kills': { max: 3.1, tolerance: 0.16 }, // measured 2.84 × (was 2.4)
    'chat through the SSH forward, per streamed token over reading litellm on its host': {
      max: 0.011,
      tolerance: 0.00055,
    }, // measured 0.01 ms (was 0.22)
  },
  wake: {
    'wake on request, request sent → first token': { max: 2.3, tolerance: 0.11 }, // measured 2.1 s (was 2.2)
    'wake ÷ docker start and health, same run': { max: 1.1, tolerance: 0.055 }, // measured 1 × (was 1.1)
  },
};
