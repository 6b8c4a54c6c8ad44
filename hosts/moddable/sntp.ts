// The wall clock on the ESP32, by SNTP, before the first TLS connection: certificate dates are
// checked, and a board that has just powered up thinks it is 1970. Several servers are asked in
// turn, one NTP client each so that the one that answered is known (the ECMA-419 NTP client tries
// each five times, 2 s apart; names resolved with DHCP's DNS servers); when all fail the whole round
// is tried again with backoff, 5 s doubling to 5 minutes. Until the clock is set the controller
// stays out of service ('clock'). After that it is synced again twice a day, for the sales log.
// A restart that is not a power cut (the watchdog's) keeps the time: a clock already past 2025
// counts as set.
import NTP from 'embedded:network/ntp/client';
import UDP from 'embedded:io/socket/udp';
import Resolver from 'embedded:network/dns/resolver/udp';
import Time from 'time';
import Timer from 'timer';
import type { ClockSync, ClockSyncOptions } from 'hosts/moddable/link-types';
import { askInTurn, FALLBACK_DNS_SERVERS } from 'hosts/moddable/time-servers';

/** 2025-01-01T00:00:00Z: any clock before this has not been set. */
export const CLOCK_SET_AFTER_MS = 1_735_689_600_000;
const FIRST_RETRY_MS = 5_000;
const MAX_RETRY_MS = 300_000;
const RESYNC_MS = 12 * 60 * 60 * 1000;

interface NtpClient {
  getTime(callback: (error: Error | null, time?: number) => void): void;
  close(): void;
}

export function startClockSync(options: ClockSyncOptions): ClockSync {
  let set = Date.now() > CLOCK_SET_AFTER_MS;
  let busy = false;
  let retryMs = FIRST_RETRY_MS;
  let timer: Timer | undefined;
  let stopped = false;

  const schedule = (ms: number) => {
    if (timer !== undefined) Timer.clear(timer);
    timer = Timer.set(() => {
      timer = undefined;
      sync();
    }, ms);
  };

  function sync(): void {
    if (busy || stopped) return;
    busy = true;
    const dns = options.dnsServers() ?? FALLBACK_DNS_SERVERS;
    let made = 0;
    askInTurn(options.servers, (server, answer) => {
      let client: NtpClient;
      try {
        client = new (NTP as unknown as new (options: Record<string, unknown>) => NtpClient)({
          servers: [server],
          socket: { io: UDP },
          dns: { io: Resolver, servers: dns, socket: { io: UDP } },
        });
      } catch (error) {
        answer(error);
        return;
      }
      made++;
      client.getTime((error, time) => {
        client.close();
        answer(error, time);
      });
    }, (error, time, server) => {
      busy = false;
      if (stopped) return;
      if (error || time === undefined) {
        options.log.warn(made === 0
          ? 'clock: no NTP client could be made (network down?)'
          : `clock: no answer from ${options.servers.join(', ')}; retrying in ${Math.round(retryMs / 1000)} s`);
        schedule(retryMs);
        retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
        return;
      }
      Time.set(Math.floor(time / 1000));
      retryMs = FIRST_RETRY_MS;
      const first = !set;
      set = true;
      if (first) options.log.info(`clock: set by SNTP from ${server}`);
      options.onSet(server);
      schedule(RESYNC_MS);
    }, (time) => time >= CLOCK_SET_AFTER_MS);
  }

  if (set) options.onSet();
  return {
    get set() { return set; },
    networkUp() {
      if (!set && timer === undefined) sync();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) Timer.clear(timer);
    },
  };
}
