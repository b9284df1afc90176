import { describe, expect, it } from 'vitest';
import { stopOrder, withDependencies, withDependents } from './graph.js';

const stack = [
  { service: 'vllm-coder', dependsOn: [] },
  { service: 'vllm-gpt-oss', dependsOn: [{ service: 'vllm-coder', condition: 'healthy' as const }] },
  { service: 'litellm', dependsOn: [] },
  { service: 'open-webui', dependsOn: [{ service: 'litellm', condition: 'healthy' as const }] },
  { service: 'prometheus', dependsOn: [] },
  { service: 'grafana', dependsOn: [{ service: 'prometheus', condition: 'started' as const }] },
];
const names = (list: { service: string }[]) => list.map((s) => s.service);

describe('the dependency graph', () => {
  it('up SERVICE brings what the service needs', () => {
    expect(names(withDependencies(stack, ['open-webui']))).toEqual(['litellm', 'open-webui']);
    expect(names(withDependencies(stack, ['vllm-gpt-oss', 'grafana']))).toEqual([
      'vllm-coder',
      'vllm-gpt-oss',
      'prometheus',
      'grafana',
    ]);
    expect(() => withDependencies(stack, ['vllm-mistral'])).toThrow(
      /unknown service "vllm-mistral"; this plan has: vllm-coder, /,
    );
  });

  it('down SERVICE takes what needs the service with it', () => {
    expect(names(withDependents(stack, ['vllm-coder']))).toEqual(['vllm-coder', 'vllm-gpt-oss']);
    expect(names(withDependents(stack, ['litellm']))).toEqual(['litellm', 'open-webui']);
  });

  it('stops dependents first, independent services together', () => {
    expect(stopOrder(stack).map(names)).toEqual([
      ['vllm-gpt-oss', 'open-webui', 'grafana'],
      ['vllm-coder', 'litellm', 'prometheus'],
    ]);
  });
});
