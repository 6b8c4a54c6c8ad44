// One request, start to finish: read it, send the emulator's own paths to the admin surface, hold an
// API request to the contract, let the fault plan have its say, run the operation, hold the answer
// to the contract, then write it (whole, or damaged on purpose) and record what happened.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { handleAdmin, type AdminTarget } from './admin';
import type { EpaymentApi } from './api';
import { isApiPath, matchApiRoute } from './api-routes';
import type { CounterSet } from './counters';
import { sleep, writeFaulty, writeReply, resetConnection } from './fault-writer';
import type { ArmedFault, FaultPlan } from './faults';
import type { OpenApiContract } from './openapi';
import { STATUS_TITLES, problem, type Reply } from './replies';
import type { RequestLog } from './request-log';
import type { Scheme } from './transport';
import type { RecordedRequest } from './types';

/** Far above any real request (a create with a full receipt is a few kilobytes). */
const MAX_REQUEST_BYTES = 1024 * 1024;

export interface PipelineDependencies {
  contract: OpenApiContract;
  api: EpaymentApi;
  faults: FaultPlan;
  counters: CounterSet;
  requestLog: RequestLog;
  admin: AdminTarget;
  /** Takes and puts back the emulator's memory: a fault with processed:false leaves no trace. */
  snapshot(): () => void;
  /** Sweeps expired payments before anything reads them. */
  beforeRequest(): void;
  /** After an operation has run (and a fault has taken its effect back, if it did): webhooks look at the logs. */
  afterOperation(): void;
  /** Host to use in URLs when a request has no Host header. */
  fallbackHost(scheme: Scheme): string;
  log(line: string): void;
  closing: AbortSignal;
}

export class RequestPipeline {
  constructor(private readonly deps: PipelineDependencies) {}

  handle = (req: IncomingMessage, res: ServerResponse, scheme: Scheme, rawSocket: Socket | undefined): void => {
    this.run(req, res, scheme, rawSocket).catch((error: unknown) => {
      this.deps.log(`emulator error on ${req.method} ${req.url}: ${(error as Error).stack ?? String(error)}`);
      this.deps.requestLog.responseInvalid([`internal error on ${req.method} ${req.url}: ${(error as Error).message}`]);
      this.deps.counters.invalidResponse();
      if (!res.headersSent) writeReply(res, problem(500, 'Internal Server Error', 'The emulator failed; see its log.'));
      else res.destroy();
    });
  };

  private async run(req: IncomingMessage, res: ServerResponse, scheme: Scheme, rawSocket: Socket | undefined): Promise<void> {
    const started = Date.now();
    const method = req.method ?? 'GET';
    const url = new URL(req.url ?? '/', 'http://emulator.invalid');
    const path = url.pathname;
    // Only a connection that carries the API is what a sale costs (pages and admin calls are not).
    if (isApiPath(path)) this.deps.counters.apiRequestOn(req.socket, scheme === 'https');
    const body = await readBody(req, MAX_REQUEST_BYTES);
    if (body === undefined) {
      writeReply(res, problem(413, 'Payload Too Large', `The request body is over ${MAX_REQUEST_BYTES} bytes.`));
      return;
    }
    this.deps.beforeRequest();

    // Everything outside the real API's paths is the emulator's own (pages, admin API, and the
    // odd /favicon.ico a browser asks for): never faulted, counted or recorded.
    if (!isApiPath(path)) {
      writeReply(res, handleAdmin(this.deps.admin, method, url, body));
      this.deps.afterOperation();
      return;
    }

    const headers = flatHeaders(req);
    const match = matchApiRoute(method, path);
    const recorded: RecordedRequest = this.deps.requestLog.record({ method, route: match?.route.template ?? null, path, headers, body, validationErrors: [], status: 0, receivedAt: Date.now() });
    if (!match) {
      recorded.validationErrors = [`${method} ${path} is not an operation of the OpenAPI files`];
      this.deps.counters.invalidRequest();
      const reply = problem(404, 'Not Found', `There is no ${method} ${path} in the ePayment or access token API.`);
      this.checkAnswer(null, reply);
      recorded.status = writeReply(res, reply);
      this.deps.log(`${method} ${path} -> ${recorded.status} (no such route)`);
      return;
    }

    const { route } = match;
    this.deps.counters.request(route.template);
    const validation = this.deps.contract.validateRequest(route.operationId, { pathParams: match.params, headers, body });
    recorded.validationErrors = validation.issues.map((issue) => `${issue.name}: ${issue.reason}`);
    if (validation.issues.length > 0) this.deps.counters.invalidRequest();

    const decision = this.deps.faults.decide(route.template);
    if (decision.latencyMs > 0) await sleep(decision.latencyMs, this.deps.closing);
    const fault = decision.fault;

    // A fault that is not `processed` hits before the service acts: for a status or an early reset the
    // operation never runs; for a damaged answer it runs and its effect is then taken back.
    const neverReachesService = fault && !fault.processed && (fault.kind === 'status' || fault.kind === 'reset-before-headers');
    let reply: Reply | undefined;
    if (!neverReachesService) {
      const restore = fault && !fault.processed ? this.deps.snapshot() : undefined;
      const host = req.headers.host ?? this.deps.fallbackHost(scheme);
      reply = this.deps.api.handle({ match, headers, body: validation.body, issues: validation.issues, origin: `${scheme}://${host}`, path });
      restore?.();
      this.deps.afterOperation();
    }
    if (fault?.kind === 'status') reply = faultProblem(fault, path);

    if (fault?.kind === 'reset-before-headers') {
      resetConnection(res, rawSocket);
      recorded.status = 0;
    } else {
      this.checkAnswer(route.operationId, reply!);
      recorded.status = fault && fault.kind !== 'status' ? await writeFaulty(res, reply!, fault, rawSocket, this.deps.closing) : writeReply(res, reply!);
    }
    const notes = [fault ? `fault ${fault.kind}${fault.processed ? ' (processed)' : ''}` : '', decision.latencyMs ? `+${decision.latencyMs} ms` : '', recorded.validationErrors.length ? `invalid request: ${recorded.validationErrors.join('; ')}` : '']
      .filter(Boolean)
      .join(', ');
    this.deps.log(`${method} ${path} -> ${recorded.status || 'reset'} ${Date.now() - started} ms${notes ? ` [${notes}]` : ''}`);
  }

  /** Every answer is held to the contract before it leaves (faults damage it only afterwards). */
  private checkAnswer(operationId: string | null, reply: Reply): void {
    const contentType = reply.headers['content-type'];
    const errors = operationId ? this.deps.contract.validateResponse(operationId, reply.status, contentType, reply.body) : this.deps.contract.validateProblem(reply.status, contentType, reply.body);
    if (errors.length === 0) return;
    this.deps.counters.invalidResponse();
    this.deps.requestLog.responseInvalid(errors);
    for (const error of errors) this.deps.log(`ANSWER BREAKS THE CONTRACT: ${error}`);
  }
}

function faultProblem(fault: ArmedFault, path: string): Reply {
  const status = fault.status ?? 500;
  const headers = fault.retryAfterSeconds !== undefined ? { 'retry-after': String(fault.retryAfterSeconds) } : undefined;
  return problem(status, STATUS_TITLES[status] ?? 'Error', 'Fault injected by the ePayment emulator.', {
    ...(fault.errorCode ? { code: fault.errorCode } : {}),
    ...(headers ? { headers } : {}),
    instance: path.replace(/^\/epayment/, ''),
  });
}

/** The body as text, or undefined when it is over the limit. */
function readBody(req: IncomingMessage, limit: number): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) over = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function flatHeaders(req: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return headers;
}
