// The provisioning console: a small line protocol on the USB serial console, so the API keys and
// the machine configuration go into Preference once, after flashing, and never into the manifest or
// the firmware image. It works in release builds (xsbug, and so the debugger's console, exists
// only in debug builds). One command a line; every answer starts with "ok" or "error":
//
//   help                      the commands
//   set clientId <value>      API client_id                      } the four API keys: all four
//   set secret <value>        API client_secret                  } must be set before the
//   set key <value>           Ocp-Apim-Subscription-Key          } machine sells; they take
//   set msn <digits>          Merchant-Serial-Number (4-10)      } effect at the next boot
//   set baseUrl <url>         https://api.vipps.no (default) or https://apitest.vipps.no
//   set pin <digits>          service-mode PIN, 6-12 digits, kept as salt:sha256(salt + PIN)
//   set wifiSsid <name>       Wi-Fi network (else the build's wifiSsid setting)
//   set wifiPassword <value>  its password, 8-63 characters
//   set ntp <a,b,c>           NTP servers, 1-4 host names or IPv4 addresses, asked in this order
//                             (default 0-3.pool.ntp.org)
//   set config <json>         the machine configuration, one line, validated before it is kept
//   set fleet <url> <password> <key>
//                             the fleet link: mqtt:// or mqtts://host[:port], the broker password
//                             (1-256 printable characters), the 64-hex-digit key of messages down
//   clear fleet               forgets the fleet credentials only
//   show                      what is set, masked (a secret's length, an id's first 4 characters)
//   status                    the machine's state and pending settlements
//   clear                     forgets every secret, the PIN and the provisioned configuration
//                             (not the journal: pending captures still finish)
//   reboot                    restarts (refused while a sale is running)
//
// Secrets are never echoed back, traced or logged: an answer names the field and a length only.
// Nothing here touches a platform; serial-lines.ts brings the lines and sends the answers.
import type { Random } from 'ports/random';
import { hashPin, MIN_PIN_DIGITS } from 'app/sale/service-mode';
import type { SecretField } from 'hosts/moddable/secrets';
import { parseNtpServers } from 'hosts/moddable/time-servers';

export interface ProvisionSecrets {
  set(field: Exclude<SecretField, 'pinHash'>, value: string): void;
  setPinHash(hash: string): void;
  clear(): void;
  describe(): string[];
  setFleet?(fleet: { url: string; password: string; key: string }): void;
  clearFleet?(): void;
}

export interface ProvisionConfig {
  /** Keeps a document; returns the problem instead when it is refused. */
  write(text: string): string | undefined;
  clear(): void;
  describe(): string;
}

export interface ProvisionDeps {
  secrets: ProvisionSecrets;
  config: ProvisionConfig;
  random: Random;
  /** True while a sale is running: a reboot then would leave it to recovery. */
  busy(): boolean;
  /** One line about the machine, for `status`. */
  status(): string;
  reboot(): void;
}

export const HELP = [
  'commands: help | set clientId|secret|key|msn|baseUrl|pin|wifiSsid|wifiPassword <value> | set ntp <a,b,c> | set config <json> | set fleet <url> <password> <key> | show | status | clear [fleet] | reboot',
  'keys and configuration take effect at the next boot',
];

const MAX_PIN_DIGITS = 12;
const PRINTABLE = (): RegExp => /^[\x21-\x7e]{1,256}$/;
const MSN = (): RegExp => /^[0-9]{4,10}$/;
const BASE_URL = (): RegExp => /^https:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?$/;

/** What a field's value must look like; undefined when it is fine. */
function refusal(field: string, value: string): string | undefined {
  switch (field) {
    case 'clientId':
    case 'secret':
    case 'key':
      return PRINTABLE().test(value) ? undefined : `${field} must be 1-256 printable ASCII characters without spaces`;
    case 'msn':
      return MSN().test(value) ? undefined : 'msn must be 4-10 digits';
    case 'baseUrl':
      // https only: the keys must never cross the network in clear text.
      return BASE_URL().test(value) ? undefined : 'baseUrl must be https://host[:port] with no path';
    case 'wifiSsid':
      return /^[\x20-\x7e]{1,32}$/.test(value) ? undefined : 'wifiSsid must be 1-32 printable ASCII characters';
    case 'wifiPassword':
      return /^[\x20-\x7e]{8,63}$/.test(value) ? undefined : 'wifiPassword must be 8-63 printable ASCII characters';
    case 'ntp': {
      const parsed = parseNtpServers(value);
      return typeof parsed === 'string' ? parsed : undefined;
    }
    case 'pin':
      return new RegExp(`^[0-9]{${MIN_PIN_DIGITS},${MAX_PIN_DIGITS}}$`).test(value) ? undefined : `pin must be ${MIN_PIN_DIGITS}-${MAX_PIN_DIGITS} digits`;
    default:
      return `unknown field "${field.slice(0, 20)}"`;
  }
}

function hex8(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

export class ProvisioningConsole {
  constructor(private readonly deps: ProvisionDeps) {}

  /** Handles one line; returns the answer's lines. */
  handle(line: string): string[] {
    const text = line.trim();
    if (text === '') return [];
    const space = text.indexOf(' ');
    const command = space < 0 ? text : text.slice(0, space);
    const rest = space < 0 ? '' : text.slice(space + 1).trim();
    switch (command) {
      case 'help':
        return HELP.map((entry) => `ok ${entry}`);
      case 'set':
        return [this.set(rest)];
      case 'show':
        return [...this.deps.secrets.describe(), this.deps.config.describe()].map((entry) => `ok ${entry}`);
      case 'status':
        return [`ok ${this.deps.status()}`];
      case 'clear':
        if (rest === 'fleet') {
          if (!this.deps.secrets.clearFleet) return ['error no fleet link on this machine'];
          this.deps.secrets.clearFleet();
          return ['ok cleared the fleet credentials; reboot to apply'];
        }
        if (rest !== '') return ['error clear takes nothing or "fleet"'];
        this.deps.secrets.clear();
        this.deps.config.clear();
        return ['ok cleared secrets, PIN and provisioned configuration; reboot to apply'];
      case 'reboot':
        if (this.deps.busy()) return ['error a sale is running; try again when the machine is idle'];
        this.deps.reboot();
        return ['ok rebooting'];
      default:
        // The command word only: a mistyped line may carry a secret.
        return [`error unknown command "${command.slice(0, 12)}"; try help`];
    }
  }

  private set(rest: string): string {
    const space = rest.indexOf(' ');
    const field = space < 0 ? rest : rest.slice(0, space);
    const value = space < 0 ? '' : rest.slice(space + 1).trim();
    if (field === 'fleet') return this.setFleet(value);
    if (field === 'config') {
      const problem = this.deps.config.write(value);
      return problem ? `error config refused: ${problem}` : 'ok config stored; reboot to apply';
    }
    const problem = refusal(field, value);
    if (problem) return `error ${problem}`;
    if (field === 'pin') {
      this.deps.secrets.setPinHash(hashPin(value, hex8(this.deps.random.uint32())));
      return 'ok pin stored (salted hash)';
    }
    if (field === 'ntp') {
      const servers = (parseNtpServers(value) as string[]).join(',');
      this.deps.secrets.set('ntp', servers);
      return `ok ntp stored (${servers}); takes effect at the next boot`;
    }
    this.deps.secrets.set(field as Exclude<SecretField, 'pinHash'>, value);
    return `ok ${field} stored (${value.length} characters); takes effect at the next boot`;
  }

  /** `set fleet <url> <password> <key>`: the answer names the broker's host only. */
  private setFleet(value: string): string {
    if (!this.deps.secrets.setFleet) return 'error no fleet link on this machine';
    const words = value.split(' ').filter((word) => word !== '');
    if (words.length !== 3) return 'error set fleet takes <url> <password> <key>';
    const [url, password, key] = words as [string, string, string];
    const host = /^mqtts?:\/\/([A-Za-z0-9.-]+(:[0-9]{1,5})?)\/?$/.exec(url);
    if (!host) return 'error fleet url must be mqtt://host[:port] or mqtts://host[:port]';
    if (!PRINTABLE().test(password)) return 'error fleet password must be 1-256 printable ASCII characters without spaces';
    if (!/^[0-9a-fA-F]{64}$/.test(key)) return 'error fleet key must be 64 hex digits';
    this.deps.secrets.setFleet({ url, password, key: key.toLowerCase() });
    return `ok fleet stored (${host[1]}${url.startsWith('mqtts:') ? ', TLS' : ', no TLS'}); takes effect at the next boot`;
  }
}
