import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { PersistentVolumeClaim } from 'kubernetes-models/v1/PersistentVolumeClaim';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { parseAllDocuments } from 'yaml';

/** Kubernetes' own OpenAPI schemas (and the Prometheus Operator's CRD schema), as kubernetes-models compiles them. */
const MODELS: Record<string, (data: never) => { validate(): void }> = {
  'apps/v1/Deployment': (d) => new Deployment(d),
  'v1/Service': (d) => new Service(d),
  'v1/PersistentVolumeClaim': (d) => new PersistentVolumeClaim(d),
  'v1/ConfigMap': (d) => new ConfigMap(d),
  'v1/Secret': (d) => new Secret(d),
  'monitoring.coreos.com/v1/ServiceMonitor': (d) => new ServiceMonitor(d),
};

/** Throws what the schema of the object's apiVersion and kind finds wrong; an unknown kind is an error too. */
export function validateManifest(object: { apiVersion?: string; kind?: string }): void {
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!model) throw new Error(`no schema for ${object.apiVersion} ${object.kind}`);
  model(object as never).validate();
}

/** Every document of a multi-document YAML file, each parsed without a YAML error. */
export function yamlDocuments(
  text: string,
): { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }[] {
  return parseAllDocuments(text).map((doc) => {
    if (doc.errors.length) throw new Error(doc.errors.map((e) => e.message).join('; '));
    return doc.toJS() as { apiVersion?: string; kind?: string };
  });
}
