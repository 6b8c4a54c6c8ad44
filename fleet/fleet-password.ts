// The fleet server's own broker password (user `fleet`): from FLEET_MQTT_PASSWORD when an operator
// set one up in Mosquitto, otherwise made once and kept in the state folder (mode 0600).
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newPassword } from './credentials';

export const FLEET_PASSWORD_FILE = 'fleet-mqtt-password';

export function fleetPassword(stateDir: string, env: NodeJS.ProcessEnv = process.env): string {
  if (env.FLEET_MQTT_PASSWORD) return env.FLEET_MQTT_PASSWORD;
  const file = join(stateDir, FLEET_PASSWORD_FILE);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(stateDir, { recursive: true, mode: 0o700 });
  const password = newPassword();
  writeFileSync(file, `${password}\n`, { mode: 0o600, flag: 'wx' });
  return password;
}
