/**
 * `config.json`, beside the dashboard's index.html: where the page finds the system. One shape for
 * its three parties: the page reads it (src/runtime-config.ts), the CDK stack writes it at deploy
 * time (lib/constructs/dashboard-site.ts) and the local stack serves it (local/dashboard-server.ts).
 */
export interface RuntimeConfig {
  /** The HTTP API's base URL, without a trailing slash: `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  apiUrl: string;
  /** The dashboard WebSocket API: `wss://def.execute-api.eu-west-1.amazonaws.com/live`. */
  webSocketUrl: string;
}
