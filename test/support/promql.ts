import { parser } from '@prometheus-io/lezer-promql';

/**
 * The metric names a PromQL expression selects, read by Prometheus's own grammar (the parser its web UI uses):
 * every vector selector's name, whether or not it carries `{…}`. Throws on an expression that does not parse.
 */
export function selectedMetrics(expr: string): string[] {
  const names: string[] = [];
  let broken: string | undefined;
  parser.parse(expr).iterate({
    enter(node) {
      if (node.type.isError) broken ??= `at ${node.from}: "${expr.slice(Math.max(0, node.from - 10), node.to + 10)}"`;
      if (node.name === 'Identifier' && node.node.parent?.name === 'VectorSelector')
        names.push(expr.slice(node.from, node.to));
    },
  });
  if (broken) throw new Error(`not PromQL ${broken}`);
  return names;
}

export interface UpstreamMetrics {
  sources: Record<
    string,
    { repository: string; file: string; commit: string; metrics: Record<string, 'gauge' | 'counter' | 'histogram'> }
  >;
}

/** Every sample name the upstream lists allow: a histogram's base name gives its _bucket, _sum and _count. */
export function exportedSamples(upstream: UpstreamMetrics): Set<string> {
  const samples = new Set<string>();
  for (const source of Object.values(upstream.sources)) {
    for (const [name, type] of Object.entries(source.metrics)) {
      if (type === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) samples.add(`${name}${suffix}`);
      else samples.add(name);
    }
  }
  return samples;
}
