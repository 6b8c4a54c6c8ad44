// What the operator sees and is told: the web page and the server's own alerts. startFleetServer
// starts this once its database and MQTT client are up.
import { startAlertEvaluator, type AlertEvaluator } from './alert-evaluator';
import type { Publisher } from './config-versions';
import type { Database } from './database';
import { startOperatorHttp, type OperatorHttp, type OperatorHttpOptions } from './http/server';
import type { VippsClient } from './vipps/client';

export interface OperatorSideOptions {
  db: Database;
  publisher: Publisher;
  vipps?: VippsClient;
  httpPort: number;
  httpHost?: string;
  httpTls?: { key: string; cert: string };
  /** How often the server's own alerts are checked (default 15 s). */
  alertEveryMs?: number;
  /** FLEET_ALERT_URL. */
  alertUrl?: string;
  log?: (line: string) => void;
  webhooks?: OperatorHttpOptions['webhooks'];
}

export interface OperatorSide {
  http: OperatorHttp;
  alerts: AlertEvaluator;
  close(): Promise<void>;
}

export async function startOperatorSide(options: OperatorSideOptions): Promise<OperatorSide> {
  const http = await startOperatorHttp({ db: options.db, publisher: options.publisher, vipps: options.vipps, port: options.httpPort, host: options.httpHost, tls: options.httpTls, log: options.log, webhooks: options.webhooks });
  const alerts = startAlertEvaluator({ db: options.db, everyMs: options.alertEveryMs ?? 15_000, alertUrl: options.alertUrl, log: options.log });
  return {
    http,
    alerts,
    async close() {
      await alerts.close();
      await http.close();
    },
  };
}
