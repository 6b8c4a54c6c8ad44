// The report's admin knob under /emulator/report: read the settings, set the lag.
import type { RawReply } from '../admin';
import type { Emulator } from '../types';
import { FEE_RULES } from './fee-model';

export function handleReportAdmin(target: Emulator, method: string, path: string, readBody: () => Record<string, unknown>): RawReply | undefined {
  if (method === 'GET' && path === '/emulator/report') return reply(200, { lagSeconds: target.reportLagSeconds(), fees: FEE_RULES });
  if (method === 'POST' && path === '/emulator/report/lag') {
    const body = readBody();
    const seconds = body.seconds === null ? undefined : Number(body.seconds);
    if (seconds !== undefined && (!Number.isFinite(seconds) || seconds < 0)) return reply(400, { error: 'seconds must be a number >= 0 (null: the default)' });
    target.setReportLag(seconds);
    return reply(200, { lagSeconds: target.reportLagSeconds() });
  }
  return undefined;
}

function reply(status: number, value: unknown): RawReply {
  return { status, headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(value) };
}
