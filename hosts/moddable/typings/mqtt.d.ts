// The SDK's MQTT client ($(MODULES)/network/mqtt/mqtt.js), which neither the SDK's typings nor npm's
// @moddable/typings declare: only what hosts/moddable/mqtt-connect.ts uses. The fleet manifest maps
// it beside the module (mcconfig type-checks with it; tsconfig.moddable.json finds it here).
declare module 'mqtt' {
  export default class Client {
    constructor(dictionary: Record<string, unknown>);
    onReady?: () => void;
    onMessage?: (topic: string, body: ArrayBuffer) => void;
    onClose?: () => void;
    subscribe(topic: string): void;
    publish(topic: string, data: string | ArrayBuffer): void;
    close(immediate?: boolean): void;
  }
}
