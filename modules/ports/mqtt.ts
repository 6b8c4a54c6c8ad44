/**
 * One MQTT connection, as the fleet link sees it: QoS 0 only (all the Moddable SDK's client has),
 * no reconnection of its own (the link decides when to connect again). Hosts: npm `mqtt` on Node,
 * the SDK's `mqtt` module on the device.
 */
export interface MqttOptions {
  /** `mqtt://host:port` or `mqtts://host:port`. */
  url: string;
  clientId: string;
  username: string;
  password: string;
  /** Published by the broker when this connection drops without a clean close. */
  will: { topic: string; payload: string };
  /** Subscribed to once connected, before `onConnect`. */
  subscribe: string[];
}

export interface MqttHandlers {
  onConnect(): void;
  onMessage(topic: string, payload: string): void;
  /** The connection is gone (or never came up); `why` is for the log. Called once per connection. */
  onClose(why: string): void;
}

export interface MqttConnection {
  /** False when the connection is not up: QoS 0 queues nothing. */
  publish(topic: string, payload: string): boolean;
  close(): void;
}

export type MqttConnect = (options: MqttOptions, handlers: MqttHandlers) => MqttConnection;
