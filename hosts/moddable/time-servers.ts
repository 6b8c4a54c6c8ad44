// DNS and NTP servers, without Moddable imports (tested on Node):
// - DNS: the servers DHCP gave with the address. On the ESP32 the SDK's `Net.get("DNS")`
//   (modules/network/net/esp/modNet.c) answers lwIP's list, an array of dotted strings; the
//   simulator's (net/lin) has no "DNS" and answers undefined. Only when DHCP gave none are the
//   fallback public servers used.
// - NTP: provisioned (`set ntp a,b,c` on the console), else the build's `sntpServers`, else the
//   pool.ntp.org servers. They are asked one at a time, so the machine knows which one answered
//   (a line on the service status screen).

/** Used only when DHCP gave no DNS server. */
export const FALLBACK_DNS_SERVERS: readonly string[] = ['1.1.1.1', '8.8.8.8'];
export const DEFAULT_NTP_SERVERS: readonly string[] = ['0.pool.ntp.org', '1.pool.ntp.org', '2.pool.ntp.org', '3.pool.ntp.org'];
export const MAX_NTP_SERVERS = 4;

const IPV4 = (): RegExp => /^(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}$/;
const HOST = (): RegExp => /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** What `Net.get("DNS")` answered, as a list of IPv4 servers; undefined when it gave none usable. */
export function dnsServersFrom(value: unknown): string[] | undefined {
  const list = Array.isArray(value) ? value : typeof value === 'string' ? [value] : [];
  const servers: string[] = [];
  for (const entry of list) {
    if (typeof entry !== 'string' || !IPV4().test(entry) || entry === '0.0.0.0' || servers.includes(entry)) continue;
    servers.push(entry);
  }
  return servers.length > 0 ? servers : undefined;
}

/** "a,b,c" (commas, spaces or both) to a server list; a string instead when it is refused. */
export function parseNtpServers(text: string): string[] | string {
  const servers = text.split(/[\s,]+/).filter((part) => part.length > 0);
  if (servers.length === 0) return 'ntp needs at least one server: set ntp a,b,c';
  if (servers.length > MAX_NTP_SERVERS) return `ntp takes at most ${MAX_NTP_SERVERS} servers`;
  for (const server of servers) {
    if (!IPV4().test(server) && !HOST().test(server)) return `ntp: "${server.slice(0, 40)}" is not a host name or IPv4 address`;
  }
  return servers;
}

/** The NTP servers in use: provisioned, else the build's setting, else the pool's. */
export function ntpServers(provisioned: string | undefined, build: string | undefined): readonly string[] {
  for (const text of [provisioned, build]) {
    if (text === undefined) continue;
    const parsed = parseNtpServers(text);
    if (typeof parsed !== 'string') return parsed;
  }
  return DEFAULT_NTP_SERVERS;
}

/**
 * Asks each server in turn (`ask` calls back with a time or an error) until one answers;
 * `done` gets the time and the server that gave it, or an error when none did.
 */
export function askInTurn(
  servers: readonly string[],
  ask: (server: string, answer: (error: unknown, time?: number) => void) => void,
  done: (error: Error | null, time?: number, server?: string) => void,
  accept: (time: number) => boolean = () => true,
): void {
  let index = 0;
  const next = (): void => {
    if (index >= servers.length) {
      done(new Error('no NTP server answered'));
      return;
    }
    const server = servers[index++]!;
    let answered = false;
    ask(server, (error, time) => {
      if (answered) return;
      answered = true;
      if (error || time === undefined || !accept(time)) next();
      else done(null, time, server);
    });
  };
  next();
}
