// The fleet link's MQTT connection on Node: the npm `mqtt` client, QoS 0, no reconnection of its
// own (the link decides), TLS checked against the given CA.
import mqtt from 'mqtt';
import type { MqttConnect } from 'ports/mqtt';

export function nodeMqttConnect(options: { ca?: string | Buffer; connectTimeoutMs?: number } = {}): MqttConnect {
  return (settings, handlers) => {
    const client = mqtt.connect(settings.url, {
      clientId: settings.clientId,
      username: settings.username,
      password: settings.password,
      will: { topic: settings.will.topic, payload: Buffer.from(settings.will.payload), qos: 0, retain: false },
      reconnectPeriod: 0,
      connectTimeout: options.connectTimeoutMs ?? 10_000,
      clean: true,
      ...(options.ca ? { ca: options.ca } : {}),
    });
    let closed = false;
    const close = (why: string) => {
      if (closed) return;
      closed = true;
      client.end(true);
      handlers.onClose(why);
    };
    client.on('connect', () => {
      if (settings.subscribe.length === 0) return handlers.onConnect();
      client.subscribe(settings.subscribe, { qos: 0 }, (error, granted) => {
        if (error || granted?.some((grant) => grant.qos === 128)) return close(`subscribe refused${error ? `: ${error.message}` : ''}`);
        if (!closed) handlers.onConnect();
      });
    });
    client.on('message', (topic, payload) => { if (!closed) handlers.onMessage(topic, payload.toString('utf8')); });
    client.on('error', (error) => close(error.message));
    client.on('close', () => close('closed'));
    return {
      publish(topic, payload) {
        if (closed || !client.connected) return false;
        client.publish(topic, payload, { qos: 0 });
        return true;
      },
      close() {
        closed = true;
        client.end(true);
      },
    };
  };
}
