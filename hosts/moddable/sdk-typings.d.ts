// Modules of the Moddable SDK that npm's @moddable/typings 5.6 lacks (the SDK's own typings have
// them): only for `tsc -p tsconfig.moddable.json`. mcconfig type-checks against the SDK's typings
// and never sees this file (the manifest does not list it).
declare module 'embedded:network/interface/wifi' {
  export default class WiFi {
    constructor(options: { onChanged?: (property: string) => void });
    readonly connection: number;
    readonly address: string | undefined;
    connect(options: { SSID: string; password?: string }): void;
    disconnect(): void;
    close(): void;
  }
}

declare module 'embedded:network/ntp/client' {
  export default class NTP {
    constructor(options: Record<string, unknown>);
    getTime(callback: (error: Error | null, time?: number) => void): void;
    close(): void;
  }
}
