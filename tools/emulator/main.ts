// npm run emulator -- --port 8080 [--https-port 8443] [--host 127.0.0.1] [--state-file FILE] ...
// Starts the emulator, prints where everything is, logs every request, and saves its state (when a
// state file is given) on Ctrl-C.
import { parseArgs } from 'node:util';
import { credentialsFromEnv, DEFAULT_CREDENTIALS } from './credentials';
import { startEmulator } from './emulator';

const USAGE = `Usage: npm run emulator -- [options]

  --port N              HTTP port (default 8080; 0 = any free port)
  --https-port N        also serve HTTPS on this port (default: no HTTPS)
  --host ADDRESS        listen address (default 127.0.0.1)
  --token-lifetime S    access token lifetime in seconds (default 3600)
  --seed N              seed for probabilistic faults (default: random)
  --state-file FILE     load state from FILE at start, save it on exit and on POST /emulator/save
  --cert-dir DIR        where the CA chain is created and kept (default .emulator/certs)
  --no-rate-limits      do not enforce the per-reference rate limits
  --report-lag S        Report API entries show S seconds after they happened (default 7200)
  --quiet               do not log each request
  -h, --help            this text

Credentials come from EPAYMENT_CLIENT_ID, EPAYMENT_CLIENT_SECRET, EPAYMENT_SUBSCRIPTION_KEY and
EPAYMENT_MSN; unset ones take the defaults in tools/emulator/README.md.`;

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0) throw new Error(`--${name} must be a whole number, not ${value}`);
  return number;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      'https-port': { type: 'string' },
      host: { type: 'string', default: '127.0.0.1' },
      'token-lifetime': { type: 'string' },
      seed: { type: 'string' },
      'state-file': { type: 'string' },
      'cert-dir': { type: 'string' },
      'no-rate-limits': { type: 'boolean', default: false },
      'report-lag': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const credentials = credentialsFromEnv();
  const httpsPort = integer(values['https-port'], 'https-port');
  const emulator = await startEmulator({
    host: values.host,
    port: integer(values.port, 'port'),
    httpsPort: httpsPort ?? false,
    tokenLifetimeSeconds: integer(values['token-lifetime'], 'token-lifetime'),
    reportLagSeconds: integer(values['report-lag'], 'report-lag'),
    seed: integer(values.seed, 'seed'),
    stateFile: values['state-file'],
    certDir: values['cert-dir'],
    credentials,
    ...(values['no-rate-limits'] ? { rateLimits: false as const } : {}),
    log: values.quiet ? () => {} : (line) => console.log(`${new Date().toISOString()} ${line}`),
  });

  const fromEnv = (name: string): string => (process.env[name] ? `from ${name}` : 'default');
  console.log(`ePayment emulator
  base URL:          ${emulator.baseUrl}
${emulator.httpsBaseUrl ? `  HTTPS base URL:    ${emulator.httpsBaseUrl}\n` : ''}  tester page:       ${emulator.baseUrl}/
  admin API:         ${emulator.baseUrl}/emulator/info
  root certificate:  ${emulator.rootCertificatePemPath} (PEM)
                     ${emulator.rootCertificateDerPath} (DER)
  client_id:         ${credentials.clientId} (${fromEnv('EPAYMENT_CLIENT_ID')})
  client_secret:     ${credentials.clientSecret === DEFAULT_CREDENTIALS.clientSecret ? 'the default' : 'from EPAYMENT_CLIENT_SECRET'}
  subscription key:  ${credentials.subscriptionKey === DEFAULT_CREDENTIALS.subscriptionKey ? 'the default' : 'from EPAYMENT_SUBSCRIPTION_KEY'}
  MSN:               ${credentials.merchantSerialNumber} (${fromEnv('EPAYMENT_MSN')})
${values['state-file'] ? `  state file:        ${values['state-file']}\n` : ''}Ctrl-C to stop.`);

  const stop = (): void => {
    emulator.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`emulator: ${(error as Error).message}`);
  process.exit(1);
});
