// What a page handler gets: the database, the logged-in operator, the request's URL and form, and
// the MQTT client to publish down with.
import type { Database } from '../database';
import type { Publisher } from '../config-versions';
import type { Session } from './sessions';
import type { VippsClient } from '../vipps/client';

export interface PageContext {
  db: Database;
  session: Session;
  url: URL;
  /** The POST's form (empty for GET). */
  form: URLSearchParams;
  publisher: Publisher;
  /** The service's client, when the fleet holds the merchant's keys (refunds, the report). */
  vipps?: VippsClient;
  log: (line: string) => void;
}

/** What a handler answers: a page, a redirect, or a download. */
export type Answer =
  | { kind: 'html'; status?: number; body: import('./html').Html }
  | { kind: 'redirect'; location: string }
  | { kind: 'file'; type: string; name: string; body: string };
