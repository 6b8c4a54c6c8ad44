// Wi-Fi, owned by the app (ESP32). The SDK's `setup/network` waits for an IP address before `main`
// runs and its Wi-Fi never reconnects after a drop, so a machine with a wrong password or no access
// point at boot would never show anything. Instead the app starts at once, out of service
// ("no network") while this connects; any drop (or a connect that does not finish) is retried with
// backoff, doubling from 1 s to a minute; every change is told to the controller (setNetwork).
// On the way up it reads the DNS servers DHCP gave (Net.get("DNS")) and passes them on.
// The SSID and password: provisioned (`set wifiSsid`, `set wifiPassword`), else the build's
// `wifiSsid`/`wifiPassword` settings. Not `ssid`/`password`: those would wake setup/network.
import WiFi from 'embedded:network/interface/wifi';
import Net from 'net';
import Timer from 'timer';
import { dnsServersFrom } from 'hosts/moddable/time-servers';
import type { NetworkLink, NetworkOptions } from 'hosts/moddable/link-types';

/** ECMA-419 `connection` values: 500 connected with an address. */
const CONNECTED = 500;
const FIRST_RETRY_MS = 1_000;
const MAX_RETRY_MS = 60_000;
/** A connect that has not produced an address by then is abandoned and tried again. */
const CONNECT_TIMEOUT_MS = 30_000;

interface WiFiLike {
  readonly connection: number;
  readonly address: string | undefined;
  readonly RSSI: number | undefined;
  connect(options: { SSID: string; password?: string }): void;
  disconnect(): void;
  close(): void;
}

export function startNetwork(options: NetworkOptions): NetworkLink {
  const { ssid, password, log } = options;
  let up = false;
  let retryMs = FIRST_RETRY_MS;
  let retryTimer: Timer | undefined;
  let connectTimer: Timer | undefined;
  let stopped = false;
  let wifiRef: WiFiLike | undefined;
  const rssi = (): number | undefined => {
    if (!up || !wifiRef) return undefined;
    try { return wifiRef.RSSI; } catch { return undefined; }
  };
  const link = { get up() { return up; }, rssi, stop };

  if (!ssid) {
    log.error('network: no Wi-Fi SSID provisioned (set wifiSsid) or built in (wifiSsid=...)');
    options.onChange(false);
    return link;
  }

  const clear = (timer: Timer | undefined) => { if (timer !== undefined) Timer.clear(timer); };

  const wifi = new WiFi({
    onChanged() {
      const now = (wifi as unknown as WiFiLike).connection === CONNECTED;
      if (now === up) {
        if (!now) scheduleRetry();
        return;
      }
      up = now;
      log.info(up ? 'network: Wi-Fi up' : 'network: Wi-Fi down');
      if (up) {
        retryMs = FIRST_RETRY_MS;
        clear(connectTimer);
        connectTimer = undefined;
      } else scheduleRetry();
      // The DNS servers DHCP gave with the address (lwIP's list, through the SDK's Net.get).
      let dns: string[] | undefined;
      if (up) {
        try { dns = dnsServersFrom((Net as unknown as { get(what: string): unknown }).get('DNS')); } catch { dns = undefined; }
        log.info(`network: DNS ${dns ? dns.join(', ') : 'none from DHCP; fallback servers'}`);
      }
      options.onChange(up, dns);
    },
  }) as unknown as WiFiLike;
  wifiRef = wifi;

  function connect(): void {
    retryTimer = undefined;
    if (stopped) return;
    try {
      wifi.connect(password ? { SSID: ssid!, password } : { SSID: ssid! });
    } catch {
      // "already connecting": the running attempt's own outcome decides.
    }
    clear(connectTimer);
    connectTimer = Timer.set(() => {
      connectTimer = undefined;
      if (up || stopped) return;
      log.warn('network: Wi-Fi connect timed out; retrying');
      try { wifi.disconnect(); } catch { /* already down */ }
      scheduleRetry();
    }, CONNECT_TIMEOUT_MS);
  }

  function scheduleRetry(): void {
    if (stopped || retryTimer !== undefined) return;
    const delay = retryMs;
    retryMs = Math.min(retryMs * 2, MAX_RETRY_MS);
    retryTimer = Timer.set(connect, delay);
  }

  function stop(): void {
    stopped = true;
    clear(retryTimer);
    clear(connectTimer);
    try { wifi.close(); } catch { /* closed */ }
  }

  options.onChange(false);
  connect();
  return link;
}
