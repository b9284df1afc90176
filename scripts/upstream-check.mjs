#!/usr/bin/env node
// Proves that every version Berth pins still exists upstream (the weekly upstream workflow runs this; docs/upstream.md
// says what it proves):
//   1. each image in docs/upstream.md's ledger has a manifest for each platform the ledger lists
//      (`docker buildx imagetools inspect`);
//   2. the pinned production-stack chart version exists in its Helm repository (`helm show chart`);
//   3. the pinned vllm-metal release's tag exists (`git ls-remote`), and the install script its README documents;
//   4. `berth export k8s` for every fixture host, profile and option passes that chart version's values.schema.json;
//   5. where the chart repository has a newer chart, whether its schema accepts the same exports (a note, never a
//      failure: it tells when the pin can move).
// Usage: node scripts/upstream-check.mjs [--schema FILE] [--only images|chart|host|schema|newer-chart]
//   --schema FILE checks step 3 against a values.schema.json already on disk instead of pulling the chart.
// Needs `npm run build` first (it imports Berth's compiled planner and exporter).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Ajv2020 from 'ajv/dist/2020.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const { CHART, k8sExport, DEFAULT_PROMETHEUS_URL } = await import(
  path.join(root, 'dist/electron/common/export/k8s/index.js')
);
const { planStack } = await import(path.join(root, 'dist/electron/common/planner/plan.js'));
const { DEFAULT_SETTINGS } = await import(path.join(root, 'dist/electron/common/contracts/settings.js'));
const { HostFactsSchema } = await import(path.join(root, 'dist/electron/common/contracts/host-facts.js'));
const { VLLM_METAL } = await import(path.join(root, 'dist/electron/common/model-servers/vllm-metal/release.js'));
const { VLLM_METAL_INSTALL } = await import(
  path.join(root, 'dist/electron/common/model-servers/vllm-metal/placement.js')
);

const args = process.argv.slice(2);
const option = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const only = option('--only');
const failures = [];
const ok = (line) => console.log(`ok   ${line}`);
const fail = (line) => {
  failures.push(line);
  console.log(`FAIL ${line}`);
};
const run = (command, commandArgs) =>
  execFileSync(command, commandArgs, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });

/** The ledger's rows: reference and the platforms Berth needs it for. */
function ledger() {
  const text = readFileSync(path.join(root, 'docs/upstream.md'), 'utf8');
  const table = text.slice(text.indexOf('| what | reference |'));
  return table
    .slice(0, table.indexOf('\n\n'))
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .slice(2)
    .map((line) =>
      line
        .slice(1, -1)
        .split(' | ')
        .map((c) => c.trim()),
    )
    .map(([what, reference, platforms]) => ({
      what,
      reference: reference.replace(/`/g, ''),
      platforms: platforms.split(',').map((p) => p.trim()),
    }));
}

/** The platforms an image reference has manifests for, as `os/architecture`. */
function platformsOf(reference) {
  const image = JSON.parse(
    run('docker', ['buildx', 'imagetools', 'inspect', reference, '--format', '{{json .Image}}']),
  );
  // A multi-platform index maps each platform to its config; a single manifest is one config.
  if (image && typeof image.architecture === 'string') return [`${image.os}/${image.architecture}`];
  return Object.keys(image ?? {}).map((platform) => platform.split('/').slice(0, 2).join('/'));
}

function checkImages() {
  for (const row of ledger().filter((r) => r.reference.includes(':') && !r.platforms.includes('any'))) {
    try {
      const have = platformsOf(row.reference);
      const missing = row.platforms.filter((p) => !have.includes(p));
      if (missing.length)
        fail(`${row.reference}: no build for ${missing.join(', ')} (has ${have.join(', ') || 'none'})`);
      else ok(`${row.reference}: ${row.platforms.join(', ')}`);
    } catch (error) {
      fail(
        `${row.reference}: ${String(error.stderr || error.message)
          .trim()
          .split('\n')
          .pop()}`,
      );
    }
  }
}

/** The model server Berth runs on a Mac's GPU: its pinned release's tag, and the install its README documents. */
async function checkHostEngines() {
  const tag = `v${VLLM_METAL.version}`;
  try {
    const refs = run('git', ['ls-remote', '--tags', `${VLLM_METAL.repository}.git`, `refs/tags/${tag}`]);
    if (refs.trim()) ok(`vllm-metal ${tag}`);
    else fail(`vllm-metal: no tag ${tag} in ${VLLM_METAL.repository}`);
  } catch (error) {
    fail(`vllm-metal: ${String(error.stderr || error.message).trim()}`);
  }
  const script = /https:\/\/\S+install\.sh/.exec(VLLM_METAL_INSTALL)?.[0];
  const response = script ? await fetch(script, { method: 'HEAD' }).catch((error) => error) : undefined;
  if (response?.ok) ok(`vllm-metal install script ${script}`);
  else fail(`vllm-metal install script ${script}: ${response?.status ?? response?.message ?? 'not found'}`);
}

function addChartRepo() {
  run('helm', ['repo', 'add', CHART.repoName, CHART.repoUrl, '--force-update']);
  run('helm', ['repo', 'update', CHART.repoName]);
}

function checkChart() {
  try {
    const chart = run('helm', ['show', 'chart', `${CHART.repoName}/${CHART.name}`, '--version', CHART.version]);
    if (new RegExp(`^version: ${CHART.version.replace(/\./g, '\\.')}$`, 'm').test(chart))
      ok(`chart ${CHART.name} ${CHART.version}`);
    else fail(`chart ${CHART.name} ${CHART.version}: helm show chart answered another version`);
  } catch (error) {
    fail(
      `chart ${CHART.name} ${CHART.version}: ${String(error.stderr || error.message)
        .trim()
        .split('\n')
        .pop()}`,
    );
  }
}

/** The chart's values.schema.json at a version (the pinned one by default): from --schema, else pulled with Helm. */
function chartSchema(version = CHART.version) {
  const file = option('--schema');
  if (file) return JSON.parse(readFileSync(file, 'utf8'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'berth-chart-'));
  run('helm', ['pull', `${CHART.repoName}/${CHART.name}`, '--version', version, '--untar', '--untardir', dir]);
  return JSON.parse(readFileSync(path.join(dir, CHART.name, 'values.schema.json'), 'utf8'));
}

function checkSchema() {
  let validate;
  try {
    validate = new Ajv2020({ allErrors: true, strict: false }).compile(chartSchema());
  } catch (error) {
    fail(`values.schema.json of ${CHART.name} ${CHART.version}: ${error.message}`);
    return;
  }
  const { checked, refused } = exportsAgainst(validate);
  for (const line of refused) fail(line);
  if (checked === 0) fail('no export was checked: the fixture hosts plan no model');
  else if (!failures.length) ok(`${checked} exports pass the values.schema.json of ${CHART.name} ${CHART.version}`);
}

/**
 * A chart newer than the pinned one: whether its own schema accepts every export, so the pin can move (docs/upstream.md,
 * "Newer releases seen"). It reports and never fails: the pinned chart is what users get until the pin moves.
 */
function checkNewerChart() {
  const listed = JSON.parse(
    run('helm', ['search', 'repo', `${CHART.repoName}/${CHART.name}`, '--versions', '-o', 'json']),
  );
  const newest = listed[0]?.version;
  if (!newest || newest === CHART.version) {
    ok(`chart ${CHART.name} ${CHART.version} is the newest in ${CHART.repoUrl}`);
    return;
  }
  const validate = new Ajv2020({ allErrors: true, strict: false }).compile(chartSchema(newest));
  const { checked, refused } = exportsAgainst(validate);
  if (refused.length)
    console.log(`note chart ${newest} is newer than ${CHART.version}; its schema refuses:\n  ${refused.join('\n  ')}`);
  else console.log(`note chart ${newest} is newer than ${CHART.version}; its schema accepts all ${checked} exports`);
}

/** Every fixture host's export, in both profiles and each option set, against a chart's schema. */
function exportsAgainst(validate) {
  const refused = [];
  const hostsDir = path.join(root, 'test/fixtures/hosts');
  const optionSets = [
    { replicas: 1, gpuSharing: 'whole' },
    { replicas: 2, gpuSharing: 'whole' },
    { replicas: 1, gpuSharing: 'hami' },
    { replicas: 1, gpuSharing: 'whole', autoscale: { min: 1, max: 4 } },
    { replicas: 1, gpuSharing: 'hami', autoscale: { min: 2, max: 3 } },
  ];
  let checked = 0;
  for (const file of readdirSync(hostsDir)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const facts = HostFactsSchema.parse(JSON.parse(readFileSync(path.join(hostsDir, file), 'utf8')));
    for (const profile of ['development', 'production']) {
      const plan = planStack(facts, DEFAULT_SETTINGS, { profile: { choice: profile, source: 'upstream-check' } });
      if (!plan.services.some((s) => s.role === 'model') || plan.warnings.some((w) => w.blocking)) continue;
      for (const options of optionSets) {
        const label = `${file.replace(/\.json$/, '')} ${profile} ${JSON.stringify(options)}`;
        const { values } = k8sExport(plan, facts, {
          namespace: 'llm',
          prometheusUrl: DEFAULT_PROMETHEUS_URL,
          ...options,
        });
        checked += 1;
        if (!validate(values))
          refused.push(`${label}: ${validate.errors.map((e) => `${e.instancePath || '/'} ${e.message}`).join('; ')}`);
      }
    }
  }
  return { checked, refused };
}

if (!only || only === 'images') checkImages();
if (!only || only === 'host') await checkHostEngines();
if (!only || only === 'chart' || only === 'newer-chart' || (only === 'schema' && !option('--schema'))) addChartRepo();
if (!only || only === 'chart') checkChart();
if (!only || only === 'schema') checkSchema();
if (!only || only === 'newer-chart') checkNewerChart();
if (failures.length) {
  console.log(`\n${failures.length} upstream check${failures.length === 1 ? '' : 's'} failed`);
  process.exit(1);
}
console.log("\nevery pinned version exists upstream, and the exports pass the chart's schema");
