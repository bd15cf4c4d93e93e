/** Where a person reaches a listener: this machine when it is bound to every interface. */
const reachable = (host: string, port: number): string => {
  const name = host === '0.0.0.0' || host === '::' ? 'localhost' : host;
  return `http://${name.includes(':') ? `[${name}]` : name}:${port}`;
};

/** The one line logged once the API listens: where it is, its Swagger UI and its metrics. */
export function readyLine(listening: {
  host: string;
  port: number;
  swaggerEnabled: boolean;
  /** The metrics listener's address, when metrics are on. */
  metrics?: { address: string; port: number };
}): string {
  const api = reachable(listening.host, listening.port);
  const parts = [`API ready on ${api}`];
  if (listening.swaggerEnabled) parts.push(`Swagger UI ${api}/docs`);
  const { metrics } = listening;
  if (metrics) parts.push(`metrics ${reachable(metrics.address, metrics.port)}/metrics`);
  return parts.join(' · ');
}
