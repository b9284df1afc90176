#!/usr/bin/env node
// The facts `berth export k8s --facts` plans for, for a node of a running cluster: this machine's facts (`berth facts
// --json`, read from FACTS) with the CPUs and memory the node has left for Berth's pods once the pods already on it
// and the two that join them (the chart's router and Open WebUI) have their requests. Kubernetes counts CPUs, not
// cores, so the result has no CPU topology: each allocatable CPU is one core to the planner. No GPUs: for CPU nodes.
//
//   node scripts/k8s-node-facts.mjs FACTS NODE > node.json
//
// Run by .github/workflows/k8s.yml against its kind worker (see docs/kubernetes.md).
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const [factsFile, node] = process.argv.slice(2);
if (!factsFile || !node) {
  console.error('usage: node scripts/k8s-node-facts.mjs FACTS NODE');
  process.exit(2);
}

/** Requests of the pods that will join the node beside the engines: the chart's router (routerSpec.resources) and Open WebUI (open-webui.yaml). */
const JOINING = [
  { name: 'router', cpu: '400m', memory: '500Mi' },
  { name: 'open-webui', cpu: '250m', memory: '1Gi' },
];

const UNITS = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, k: 1e3, M: 1e6, G: 1e9, m: 1e-3 };

/** A Kubernetes quantity ("3900m", "16373584Ki", "2") as a number of CPUs or bytes. */
function quantity(text) {
  const match = /^(\d+(?:\.\d+)?)([A-Za-z]*)$/.exec(String(text ?? '0'));
  if (!match) throw new Error(`not a quantity: ${text}`);
  const unit = match[2] ? UNITS[match[2]] : 1;
  if (unit === undefined) throw new Error(`unknown unit in ${text}`);
  return Number(match[1]) * unit;
}

const kubectl = (...args) => JSON.parse(execFileSync('kubectl', [...args, '-o', 'json'], { encoding: 'utf8' }));
const allocatable = kubectl('get', 'node', node).status.allocatable;
const pods = kubectl(
  'get',
  'pods',
  '--all-namespaces',
  '--field-selector',
  `spec.nodeName=${node},status.phase!=Succeeded,status.phase!=Failed`,
).items;
const requested = (resource) =>
  pods.reduce(
    (sum, pod) => sum + pod.spec.containers.reduce((s, c) => s + quantity(c.resources?.requests?.[resource] ?? 0), 0),
    0,
  ) + JOINING.reduce((sum, pod) => sum + quantity(pod[resource]), 0);

const cpus = Math.floor(quantity(allocatable.cpu) - requested('cpu'));
const memoryBytes = Math.floor(quantity(allocatable.memory) - requested('memory'));
if (cpus < 1 || memoryBytes < 2 ** 30) {
  console.error(
    `k8s-node-facts: ${node} has ${cpus} CPUs and ${(memoryBytes / 2 ** 30).toFixed(1)} GiB left for Berth's engines: too little`,
  );
  process.exit(1);
}
const facts = JSON.parse(readFileSync(factsFile, 'utf8'));
const { cpuTopology: _topology, ...engine } = facts.engine ?? {};
console.log(
  JSON.stringify({ ...facts, gpus: [], engine: { ...engine, cpus, memoryBytes, gpuRuntime: false } }, null, 2),
);
console.error(
  `k8s-node-facts: ${node} leaves ${cpus} CPUs and ${(memoryBytes / 2 ** 30).toFixed(1)} GiB to Berth's engines`,
);
