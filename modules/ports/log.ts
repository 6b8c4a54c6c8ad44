/** Where the core writes what happened. Lines must never carry a secret (design rule 6). */
export interface Log {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export const silentLog: Log = { info() {}, warn() {}, error() {} };
