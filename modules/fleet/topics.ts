// The fleet's topic tree (docs/fleet-protocol.md): a machine publishes under vend/{posId}/up/ and
// reads vend/{posId}/down/.
export type UpKind = 'hello' | 'heartbeat' | 'sale' | 'alert' | 'ack' | 'catalog' | 'will';
export type DownKind = 'ack' | 'config' | 'payment';

export function upTopic(posId: string, kind: UpKind): string {
  return `vend/${posId}/up/${kind}`;
}

export function downTopic(posId: string, kind: DownKind): string {
  return `vend/${posId}/down/${kind}`;
}

/** What the machine subscribes to. */
export function downFilter(posId: string): string {
  return `vend/${posId}/down/#`;
}

/** The kind of a message down for this machine, or undefined when the topic is not one of its own. */
export function downKindOf(posId: string, topic: string): DownKind | undefined {
  const prefix = `vend/${posId}/down/`;
  if (!topic.startsWith(prefix)) return undefined;
  const kind = topic.slice(prefix.length);
  return kind === 'ack' || kind === 'config' || kind === 'payment' ? kind : undefined;
}
