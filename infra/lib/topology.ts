import topology from '../../deploy/topology.json';

/** What compose, Copilot and this app share (deploy/topology.json): one source for all three. */
export const TOPOLOGY = topology;

/** `rag/read` → the resource server `rag` and its scope `read`. */
export function scopeParts(scope: string): { server: string; name: string } {
  const [server, name] = scope.split('/');
  if (!server || !name) throw new Error(`scope ${scope} is not <server>/<name>`);
  return { server, name };
}

/** The Secrets Manager secret holding the model API keys of one environment. */
export const modelKeysSecretName = (environment: string): string =>
  `${TOPOLOGY.app}/${environment}/${TOPOLOGY.modelKeys.secretSuffix}`;
