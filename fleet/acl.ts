// Who may publish and subscribe where (docs/fleet-protocol.md, "Who may do what"). The embedded
// broker asks these; mosquitto-files.ts writes the same table for Mosquitto.

export const FLEET_USER = 'fleet';
/** As the machine configuration's posId; `fleet` is the server's user name, never a machine's. */
export const POS_ID = /^[A-Za-z0-9-]{1,24}$/;

export function isPosId(value: string): boolean {
  return POS_ID.test(value) && value !== FLEET_USER;
}

export type Principal = { kind: 'fleet' } | { kind: 'machine'; posId: string };

function rules(principal: Principal): { publish: string; subscribe: string } {
  return principal.kind === 'fleet'
    ? { publish: 'vend/+/down/#', subscribe: 'vend/+/up/#' }
    : { publish: `vend/${principal.posId}/up/#`, subscribe: `vend/${principal.posId}/down/#` };
}

/** MQTT matching of a concrete topic against a filter (`#` also matches the parent level). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

/** Every topic that `filter` matches is also matched by `allowed`: a subscription no wider than allowed. */
export function filterWithin(allowed: string, filter: string): boolean {
  const a = allowed.split('/');
  const f = filter.split('/');
  for (let i = 0; i < a.length; i++) {
    if (a[i] === '#') return true;
    if (i >= f.length) return false;
    if (f[i] === '#') return false;
    if (a[i] !== '+' && f[i] !== a[i]) return false;
  }
  return f.length === a.length;
}

export function mayPublish(principal: Principal, topic: string): boolean {
  if (topic.includes('+') || topic.includes('#')) return false;
  return topicMatches(rules(principal).publish, topic);
}

export function maySubscribe(principal: Principal, filter: string): boolean {
  // Shared subscriptions ($share/…) and system topics ($SYS) are nobody's.
  if (filter.startsWith('$')) return false;
  return filterWithin(rules(principal).subscribe, filter);
}
