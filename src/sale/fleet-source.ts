// What the controller and its journal show the fleet link (fleet/link): heartbeat fields, the open
// alerts, and the sales log's events. Test-fires, other machines' references and failed refunds
// are not sales: they are passed over (their numbers count as acknowledged).
import type { AlertKind, FleetSource, HeartbeatFields, SaleEventFields } from 'fleet/link';
import { catalogOf, type CatalogEntry } from 'app/config/catalog-edit';
import type { VendingMachine } from 'app/sale/machine';
import { OUT_OF_SERVICE_CODES } from 'app/sale/view';

export interface FleetSourceHost {
  firmware: string;
  /** SHA-256 hex of the applied configuration's JSON. */
  configHash: () => string;
  bootCount: number;
  currency: string;
  freeHeap?: () => number | undefined;
  rssi?: () => number | undefined;
}

export function fleetSource(machine: VendingMachine, host: FleetSourceHost): FleetSource {
  const journal = machine.journal;
  const posId = machine.config?.posId ?? '';
  return {
    hello: () => ({ fw: host.firmware, cfg: host.configHash(), boot: host.bootCount }),
    heartbeat(): HeartbeatFields {
      const status = machine.status();
      const captures = status.pending.filter((item) => item.operation === 'capture');
      const fields: HeartbeatFields = {
        screen: status.state,
        inService: status.inService,
        queue: status.pending.length,
        pending: captures.length,
        late: status.lateCaptures,
        overdue: captures.filter((item) => item.overdue).length,
      };
      if (status.outOfService) fields.reason = OUT_OF_SERVICE_CODES[status.outOfService];
      const heap = host.freeHeap?.();
      if (heap !== undefined) fields.heap = heap;
      const lost = journal.fleetLost;
      if (lost > 0) fields.lost = lost;
      const rssi = host.rssi?.();
      if (rssi !== undefined) fields.rssi = rssi;
      return fields;
    },
    alerts() {
      const status = machine.status();
      const open: Partial<Record<AlertKind, string>> = {};
      if (status.outOfService) open['out-of-service'] = `${OUT_OF_SERVICE_CODES[status.outOfService]}${status.detail ? ` ${status.detail}` : ''}`;
      const late = status.pending.filter((item) => item.operation === 'capture' && item.late).map((item) => item.reference);
      if (late.length > 0) open['capture-late'] = late.slice(0, 3).join(' ');
      const overdue = status.pending.filter((item) => item.operation === 'capture' && item.overdue).map((item) => item.reference);
      if (overdue.length > 0) open['capture-overdue'] = overdue.slice(0, 3).join(' ');
      if (status.journal.failure) open.journal = status.journal.failure;
      return open;
    },
    saleEvents(afterSeq: number, limit: number): SaleEventFields[] | undefined {
      const events = journal.saleEvents(afterSeq, 50);
      if (!events) return undefined;
      const reportable: SaleEventFields[] = [];
      for (const event of events) {
        if (event.outcome === 'test-fire' || !event.reference.startsWith(`${posId}-`)) continue;
        if (event.repeat && event.outcome !== 'refunded') continue;
        reportable.push({ seq: event.seq, time: event.time, reference: event.reference, product: event.product, amount: event.amount, currency: host.currency, outcome: event.outcome });
        if (reportable.length === limit) break;
      }
      return reportable;
    },
    lastSeq: () => journal.lastSaleSeq,
    acked: () => journal.fleetAcked,
    setAcked: (seq) => journal.setFleetAcked(seq),
    saleOpen: () => journal.openSale !== undefined,
    catalog() {
      const config = machine.config;
      const summaries = machine.view.products;
      const products = (config ? catalogOf(config) : []).map((entry) => {
        const summary = summaries.find((candidate) => candidate.id === entry.id);
        const live: CatalogEntry = { ...entry, soldOut: journal.soldOutOverride(entry.id) ?? entry.soldOut };
        if (summary?.stock !== undefined) live.stock = summary.stock;
        return live;
      });
      return { cfg: host.configHash(), languages: config?.languages ?? [], currency: config?.currency ?? host.currency, products };
    },
  };
}
