// Registration in the background: the fleet starts (and machines keep polling) while the service
// is unreachable; a failed attempt is logged and tried again later until it succeeds.
import type { Database } from '../database';
import type { VippsClient } from '../vipps/client';
import { ensureRegistration, type Registration } from './registration';

export interface Registrar {
  url: string;
  /** The first successful registration (tests wait on it); rejects only when closed before one. */
  registered: Promise<Registration>;
  close(): void;
}

export function startRegistrar(db: Database, vipps: VippsClient, url: string, log: (line: string) => void, retryMs = 60_000): Registrar {
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let settle: { resolve(r: Registration): void; reject(e: Error): void };
  const registered = new Promise<Registration>((resolve, reject) => (settle = { resolve, reject }));
  registered.catch(() => {});
  const attempt = (): void => {
    ensureRegistration(db, vipps, url).then(
      (registration) => {
        log(`webhooks: ${registration.kind === 'kept' ? 'registration kept' : 'registered'} for ${url}${registration.deleted.length ? ` (deleted ${registration.deleted.length} without a secret we hold)` : ''}`);
        settle.resolve(registration);
      },
      (error: unknown) => {
        if (closed) return;
        log(`webhooks: registration for ${url} failed, trying again in ${retryMs / 1000} s: ${(error as Error).message}`);
        timer = setTimeout(attempt, retryMs);
      },
    );
  };
  attempt();
  return {
    url,
    registered,
    close() {
      closed = true;
      clearTimeout(timer);
      settle.reject(new Error('closed'));
    },
  };
}
