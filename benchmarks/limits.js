// Every figure of `npm run bench`, with its limit and its tolerance, declared before the run that is judged: the
// benchmark scripts and the regression guard (`npm run bench:check`) judge each figure's median against them, and
// nothing a run writes can move them. A figure fails when its median is past limit + tolerance (below limit −
// tolerance for a rate), however wide its spread. Each limit is the figure measured on the reference machine
// (2 cores, Docker Engine 20.10; the value in the comment) plus 8%, with 5% of tolerance, so a 20% regression of
// any of them is caught (test/benchmarks/guard.test.ts plants a figure 20% past each limit). CPU time counted in 10
// ms ticks a minute has `step`: its limit is what was measured and its tolerance one tick, so two ticks more fail. Figures measured
// beside them (Node's own start, docker-compose, the critical path, the engine's health-check tick) are
// baselines and carry no limit. Raising a limit is a decision: say why in the commit.
//
// Reference run: c97d033, 2026-12-06, AMD EPYC × 2 cores, 24 GiB, Docker Engine 20.10.24; the value after "was" is
// the run on 200dff8 an hour before it. Four runs this day, of code that differs on these paths only in the wake
// gateway's address (200dff8), where health-check passes are stored (fb49251) and the dashboard benchmark's what-if
// warm-up (c97d033), measured: plan cold start 252, 321, 271, 273 ms; facts cold start 459, 559, 545, 479 ms; first
// paint 355, 247, 296, 416 ms; log lines per second 139k, 170k, 150k, 136k; docker kill → status, local, 62.2, 51.7,
// 61.9, 59.7 ms; the SSH chat overhead 0.01, 0.02, 0.16, 0.04 ms/token; the Metrics view's CPU 220, 210, 190, 150
// ms/min per model (2599c15, 200dff8, fb49251, c97d033). Same-run ratios moved less: plan ÷ node 3.39–3.54, facts ÷
// node 5.89–6.6, SSH ÷ local 2.74–3.03, berth up ÷ compose 0.27–0.28, up ÷ critical path 1.02 each time. Judged
// against the limits committed at the time, the four runs put 1 figure (SSH ÷ local, against 93752ef's), then 6, 5
// and 4 absolute figures over them: on this shared machine a timing moves by up to two thirds between runs of the
// same code (the SSH chat overhead, near zero, by far more), more than the 20% regression every limit must catch, so
// an absolute figure over its limit is read beside its same-run ratio and a second run before it is called a
// regression. The what-if p95 measured V8 compiling the planner (1.39, 1.82, 4.93 ms) until c97d033 timed it after
// two untimed passes (0.23 ms). The fb49251 run was not committed: c97d033 changed the dashboard benchmark after it.
// Until c97d033 the limits followed the run whose results were committed; 93752ef's predated the changes to `up`
// that brought its ratio to the critical path from 1.12 to 1.02. From then on a run is judged against the limits
// committed before it, never re-based on it: its same-run ratios gate (npm run bench, bench:check in CI), and an
// absolute figure past its limit is a warning (lib/guard.js).
// Watched: status over SSH ÷ local socket measured 3.7 and 3.54 on e346248 and 3.82 on 46c58fd, over its 3 + 0.15, and
// 3.05 on 3b1915d, within it; f6d6358 measured 2.71. The local socket's median moves (50.4, then 35.1, 36.9 and 34.9,
// then 46.1 ms) while SSH's added time holds (86, 95, 93, 98 and 94.5 ms over local): the denominator moves, not the
// SSH path, so the limit stays as committed. The run recorded for berth upgrade (on c73c1bf) measured 3.2 (local 43.6
// ms, SSH 95.8 ms over it), and the commit before that work (66e70b7), run alone minutes later on the same machine,
// 3.34: the same machine, not the change. The backend's CPU with no window open measured 60 and 50 ms/min on these runs
// and 50 on 66e70b7 beside them, over its 10 + 10: a warning, read the same way. Again at the close of that work: the
// commit before it (317820c) measured 3.65 (local 34.6 ms, SSH 91.7 ms over it) and the work's last commit 3.56 (36.4,
// 93.2), run one after the other on the same machine; the limit stays as committed.
export const LIMITS = {
  'cli-cold-start': {
    'berth plan --facts FILE --json cold start': { max: 290, tolerance: 15 }, // measured 273 ms (was 321)
    'berth plan --facts FILE --json ÷ node -e 0, same run': { max: 3.8, tolerance: 0.19 }, // measured 3.54 × (was 3.39)
    'berth facts --json cold start': { max: 520, tolerance: 26 }, // measured 479 ms (was 559)
    'berth facts --json ÷ node -e 0, same run': { max: 7.1, tolerance: 0.35 }, // measured 6.6 × (was 6.03)
  },
  'engine-up': {
    // up no longer waits for Docker's next health check (it runs the check once itself): 8.9 s and 0.69 × before.
    // It returns at the last answer once each image's check has passed (kept): 4.7 s and 0.36 × at 93752ef.
    'berth up, process start to all healthy': { max: 3.6, tolerance: 0.18 }, // measured 3.3 s (was 3.3)
    'berth up ÷ docker-compose up, same run': { max: 0.29, tolerance: 0.014 }, // measured 0.27 × (was 0.27)
    'berth up, process start to its first container': { max: 0.76, tolerance: 0.038 }, // measured 0.7 s (was 0.8)
    // Issue 22's bound, not a measurement plus 8%: healthy as berth status reads it within 1.05 × the stack's own chain
    // (1.12 × at 93752ef, when up still ran the last service's health check after its answer).
    'berth up, first container → all healthy ÷ critical path': { max: 1.05, tolerance: 0 }, // measured 1.02 ×
  },
  'idle-engine': {
    'CPU time of berth status --watch with the stack up': { max: 0, tolerance: 10, step: 10 }, // measured 0 ms/min (was 0)
    'resident memory of berth status --watch': { max: 84, tolerance: 4.2 }, // measured 77.8 MiB (was 75.7)
  },
  'log-ingestion': {
    'log lines ingested per second': { min: 130000, tolerance: 6500 }, // measured 136319 lines/s (was 169543)
  },
  dashboard: {
    'first paint with the last known state': { max: 450, tolerance: 23 }, // measured 416 ms (was 247)
    'frame time following 10,000 lines/s, p95': { max: 18, tolerance: 0.9 }, // measured 16.7 ms (was 16.7)
    'page heap growth over that time': { max: 0.54, tolerance: 0.027 }, // measured 0.5 MiB (was 0.5)
    'frame time while the Metrics charts update, p95': { max: 18, tolerance: 0.9 }, // measured 16.7 ms (was 16.7)
    // Set back to 150 kB (issue 32): it had been raised to 180 so that a growth from 133.6 to 163–166 kB passed. The
    // entry was made lighter instead (zod and the plan's pictures out of it): 127.5 kB on 3b1915d.
    'initial JavaScript the window loads (gzip)': { max: 150, tolerance: 7.5 }, // measured 127.5 kB (was 166.1)
    'what-if re-plan, p95 on the slowest fixture host': { max: 0.25, tolerance: 0.013 }, // measured 0.23 ms (was 1.82)
    'berth serve process CPU while Metrics is open, per model': { max: 160, tolerance: 8 }, // measured 150 ms/min (was 210)
    'backend CPU with no window open': { max: 10, tolerance: 10, step: 10 }, // measured 10 ms/min (was 10)
    'chat relay overhead per streamed token': { max: 1.2, tolerance: 0.06 }, // measured 1.08 ms (was 1.26)
  },
  'remote-engine': {
    'docker kill → status shows it, local socket': { max: 64, tolerance: 3.2 }, // measured 59.7 ms (was 51.7)
    'docker kill → status shows it, over SSH': { max: 180, tolerance: 9 }, // measured 165.5 ms (was 156.9)
    'status over SSH ÷ local socket, same kills': { max: 3, tolerance: 0.15 }, // measured 2.77 × (was 3.03)
    'chat through the SSH forward, per streamed token over reading litellm on its host': {
      max: 0.043,
      tolerance: 0.0022,
    }, // measured 0.04 ms (was 0.02)
  },
  wake: {
    'wake on request, request sent → first token': { max: 2.2, tolerance: 0.11 }, // measured 2 s (was 2)
    'wake ÷ docker start and health, same run': { max: 1.1, tolerance: 0.055 }, // measured 1 × (was 1)
  },
  // Declared from its first two runs (upgrade-trial.ts alone, on 5a054be and after): 3.2 and 3.3 × the time of a plain
  // restart (two starts of a model that loads in 1.5 s, and 26 chats); 1.99 × the memory before both peaks were read
  // after the same prompts, then 1.02 ×.
  'upgrade-trial': {
    'trial ÷ plain restart, time, same run': { max: 3.6, tolerance: 0.18 }, // measured 3.3 ×
    "the model server's memory peak, trial ÷ plain restart": { max: 1.1, tolerance: 0.055 }, // measured 1.02 ×
  },
};
