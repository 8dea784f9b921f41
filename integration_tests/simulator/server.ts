import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { listenOnLoopback } from '../loopback.js';
import {
  type Delivery,
  deliveryStatus,
  fieldDropped,
  halfBody,
  htmlDelivery,
  jsonDelivery,
  listsDropped,
  listsNulled,
  rewriteJson,
  trickledBody,
  truncatedBody,
  writeDelivery,
} from './delivery.js';
import { type FaultKind, FaultPlan, pathMatches, type RandomFaults } from './faults.js';
import { SeededRandom } from './random.js';
import { SlidingWindowRateLimiter } from './rate-limiter.js';
import {
  BAD_GATEWAY_HTML,
  badRequest,
  errorResponse,
  forbidden,
  internalError,
  methodNotAllowed,
  notFound,
  ok,
  rateLimited,
  SIGN_IN_HTML,
  serviceUnavailable,
  unauthorized,
  wrongDatacenter,
} from './responses.js';
import { type ApiResponse, type PageSizes, type RouteMatch, Router } from './router.js';
import { ROUTES } from './routes.js';
import {
  configureExports,
  type ExportBehaviour,
  STORAGE_PREFIX,
  serveStorage,
  setStorageOrigin,
} from './routes-exports.js';
import { generateWorkspace, type Workspace, type WorkspaceOptions } from './workspace.js';

export const DEFAULT_API_KEY = 'sim-app-api-key-0123456789abcdef';
export const DEFAULT_REQUESTS_PER_SECOND = 10;
export const DEFAULT_SLOW_FAULT_MS = 30_000;
export const DEFAULT_PAGE_SIZES: Readonly<PageSizes> = {
  campaignActions: 10,
  newslettersDefault: 10,
  newslettersMax: 100,
  senderIdentitiesDefault: 10,
  senderIdentitiesMax: 100,
  triggerErrorsMax: 10,
};

export interface SimulatorOptions {
  apiKey?: string;
  workspace?: Workspace | WorkspaceOptions;
  /** Admitted requests per sliding second, workspace-wide; null = unlimited. Default 10. */
  requestsPerSecond?: number | null;
  /** Added before every response. Default 0. */
  latencyMs?: number;
  pageSizes?: Partial<PageSizes>;
  faults?: RandomFaults | null;
  /** Requests whose path matches answer 403, as for a key without the scope. */
  forbiddenPaths?: RegExp[];
  /** Every request answers 301 {"detail": "wrong datacenter"}, as a host of the other region does. */
  wrongDatacenter?: boolean;
  /** Object search and object relationship pages repeat the previous page's last entry (see RouteContext). */
  repeatPageEdges?: boolean;
  /** Requests whose path matches answer 404, as an endpoint this workspace does not have. */
  notFoundPaths?: RegExp[];
  /** Called as each request arrives, before it is answered: tests change the workspace mid-sync with it. */
  onRequest?: (request: { method: string; path: string; query: URLSearchParams }) => void;
  /** How long a `slow` fault stalls before answering. Default 30 s. */
  slowFaultMs?: number;
  /** Default 0: an ephemeral port. The server binds 127.0.0.1 only. */
  port?: number;
  /** How people exports progress and how their storage links behave (see routes-exports.ts). */
  exports?: Partial<ExportBehaviour>;
}

export interface RequestLogEntry {
  method: string;
  path: string;
  query: Record<string, string>;
  /** 0 when the connection was reset without an answer. */
  status: number;
  /** Arrival time, in ms since the simulator started. */
  at: number;
}

export interface SimulatorStats {
  /** Every API request received, including rate-limited and in-flight ones. */
  requests: number;
  /** Downloads from export storage (not API requests: logged, never rate limited). */
  storageRequests: number;
  /** Answered requests by status (0 = reset). */
  byStatus: Record<number, number>;
  /** Requests the rate limiter rejected (injected 429 faults count as faults). */
  rateLimited: number;
  faultsInjected: number;
  log: RequestLogEntry[];
}

export interface Simulator {
  url: string;
  apiKey: string;
  workspace: Workspace;
  stats: SimulatorStats;
  injectFaults(kind: FaultKind, count: number, path?: RegExp): void;
  setRandomFaults(faults: RandomFaults | null): void;
  setLatency(ms: number): void;
  setRequestsPerSecond(rps: number | null): void;
  resetStats(): void;
  close(): Promise<void>;
}

function isWorkspace(value: Workspace | WorkspaceOptions): value is Workspace {
  return 'campaignActions' in value;
}

function checkRequestsPerSecond(rps: number | null): number | null {
  if (rps !== null && !(Number.isInteger(rps) && rps > 0)) {
    throw new Error(`requestsPerSecond must be a positive integer or null: ${rps}`);
  }
  return rps;
}

function checkDelay(name: string, ms: number): number {
  if (!(Number.isFinite(ms) && ms >= 0)) throw new Error(`${name} must be a non-negative number: ${ms}`);
  return ms;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString('utf8');
}

function parseJsonBody(raw: string): { ok: true; value: unknown } | { ok: false } {
  if (raw.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

/** The same request for its first page: no `start` token, no `offset`. */
function withoutPaging(url: URL): URL {
  const first = new URL(url);
  first.searchParams.delete('start');
  first.searchParams.delete('offset');
  return first;
}

function emptyStats(): SimulatorStats {
  return { requests: 0, storageRequests: 0, byStatus: {}, rateLimited: 0, faultsInjected: 0, log: [] };
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const workspace =
    options.workspace !== undefined && isWorkspace(options.workspace)
      ? options.workspace
      : generateWorkspace(options.workspace);
  const pageSizes: PageSizes = { ...DEFAULT_PAGE_SIZES, ...options.pageSizes };
  const forbiddenPaths = options.forbiddenPaths ?? [];
  const notFoundPaths = options.notFoundPaths ?? [];
  const slowFaultMs = checkDelay('slowFaultMs', options.slowFaultMs ?? DEFAULT_SLOW_FAULT_MS);
  const router = new Router(ROUTES);
  if (options.exports !== undefined) configureExports(workspace, options.exports);
  const limiter = new SlidingWindowRateLimiter(
    checkRequestsPerSecond(
      options.requestsPerSecond === undefined ? DEFAULT_REQUESTS_PER_SECOND : options.requestsPerSecond,
    ),
  );
  const faults = new FaultPlan(options.faults ?? null);
  const references = new SeededRandom(0x429);
  const startedAt = performance.now();
  const stats = emptyStats();
  let latencyMs = checkDelay('latencyMs', options.latencyMs ?? 0);
  let loopingTokens = 0;

  /** Waits unless the simulator closes or the client leaves first; resolves to whether it waited in full. */
  async function pause(ms: number, clientGone: AbortSignal): Promise<boolean> {
    const signal = AbortSignal.any([loopback.closing, clientGone]);
    if (ms <= 0) return !signal.aborted;
    try {
      await sleep(ms, undefined, { signal });
      return true;
    } catch {
      return false;
    }
  }

  function routeResponse(match: RouteMatch, url: URL, rawBody: string): ApiResponse {
    switch (match.kind) {
      case 'not_found':
        return notFound(`no route for ${url.pathname}`);
      case 'method_not_allowed':
        return methodNotAllowed(match.allowed);
      case 'found': {
        const body = parseJsonBody(rawBody);
        if (!body.ok) return badRequest('request body is not valid JSON');
        const context = {
          params: match.params,
          query: url.searchParams,
          workspace,
          pageSizes,
          body: body.value,
          repeatPageEdges: options.repeatPageEdges === true,
        };
        return match.route.handler(context);
      }
    }
  }

  function rateLimitedDelivery(): Delivery {
    const limit = limiter.limit ?? DEFAULT_REQUESTS_PER_SECOND;
    return jsonDelivery(rateLimited(limit, references.hex(12)), { 'retry-after': '1' });
  }

  async function faultDelivery(
    kind: FaultKind,
    normal: () => Delivery,
    clientGone: AbortSignal,
    firstPage: () => Delivery,
  ): Promise<Delivery> {
    switch (kind) {
      case 'http_500':
        return jsonDelivery(internalError());
      case 'http_502_html':
        return htmlDelivery(502, BAD_GATEWAY_HTML);
      case 'http_503':
        return jsonDelivery(serviceUnavailable());
      case 'http_429':
        return rateLimitedDelivery();
      case 'http_429_no_retry_after':
        return jsonDelivery(errorResponse(429, 'daily request quota exceeded for this workspace'));
      case 'http_503_retry_after':
        return jsonDelivery(serviceUnavailable(), { 'retry-after': '1' });
      case 'http_429_long_retry_after':
        return jsonDelivery(rateLimited(limiter.limit ?? DEFAULT_REQUESTS_PER_SECOND, references.hex(12)), {
          'retry-after': '3600',
        });
      case 'html_200':
        return htmlDelivery(200, SIGN_IN_HTML);
      case 'reset':
        return { kind: 'reset' };
      case 'truncated_body':
        return truncatedBody(normal());
      case 'invalid_json':
        return halfBody(normal());
      case 'slow':
        return (await pause(slowFaultMs, clientGone)) ? normal() : { kind: 'reset' };
      case 'trickle':
        return trickledBody(normal());
      case 'missing_list':
        return rewriteJson(normal(), listsDropped);
      case 'errors_200':
        return jsonDelivery(ok({ errors: [{ detail: 'the list could not be loaded' }] }));
      case 'null_list':
        return rewriteJson(normal(), listsNulled);
      case 'looping_token':
        loopingTokens += 1;
        return rewriteJson(firstPage(), (body) => ({ ...body, next: `loop-${loopingTokens}` }));
      case 'ignored_offset':
        return firstPage();
      case 'no_id':
        return rewriteJson(normal(), fieldDropped('id'));
      case 'no_cio_id':
        return rewriteJson(normal(), fieldDropped('cio_id'));
      case 'no_object_id':
        return rewriteJson(normal(), fieldDropped('object_id'));
    }
  }

  /** The pipeline: rate limit, auth, scope, injected faults, routing. */
  async function decide(req: IncomingMessage, url: URL, clientGone: AbortSignal): Promise<Delivery> {
    if (!limiter.tryAdmit(performance.now())) {
      stats.rateLimited += 1;
      return rateLimitedDelivery();
    }
    if (options.wrongDatacenter === true) return jsonDelivery(wrongDatacenter());
    const match = router.match(req.method ?? 'GET', url.pathname);
    const requiresAuth = match.kind !== 'found' || match.route.requiresAuth !== false;
    if (requiresAuth && req.headers.authorization !== `Bearer ${apiKey}`) return jsonDelivery(unauthorized());
    if (forbiddenPaths.some((pattern) => pathMatches(pattern, url.pathname)))
      return jsonDelivery(forbidden());
    if (notFoundPaths.some((pattern) => pathMatches(pattern, url.pathname)))
      return jsonDelivery(notFound(`no route for ${url.pathname}`));
    options.onRequest?.({ method: req.method ?? 'GET', path: url.pathname, query: url.searchParams });
    const rawBody = await readBody(req);
    const normal = (): Delivery => jsonDelivery(routeResponse(match, url, rawBody));
    const fault = faults.next(url.pathname);
    if (fault === undefined) return normal();
    stats.faultsInjected += 1;
    const firstPage = (): Delivery => jsonDelivery(routeResponse(match, withoutPaging(url), rawBody));
    return faultDelivery(fault, normal, clientGone, firstPage);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Out of band for a simulator run as its own process (benchmarks): counters only, never rate limited.
    // With ?arrivals=1, also when each API request arrived (ms since the start; benchmarks time the budget's use).
    if (req.url === '/__simulator/stats' || req.url === '/__simulator/stats?arrivals=1') {
      const { log, ...counters } = stats;
      const arrivals = req.url.endsWith('arrivals=1')
        ? {
            arrivals: log
              .filter((entry) => !entry.path.startsWith(STORAGE_PREFIX))
              .map((entry) => [entry.at, entry.status]),
          }
        : {};
      writeDelivery(res, jsonDelivery(ok({ ...counters, ...arrivals })));
      return;
    }
    const at = performance.now() - startedAt;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname.startsWith(STORAGE_PREFIX)) {
      stats.storageRequests += 1;
      const status = await serveStorage(workspace, req, res, url);
      stats.log.push({ method: req.method ?? 'GET', path: url.pathname, query: {}, status, at });
      return;
    }
    stats.requests += 1;
    // Before anything is written, a closed response means the client went away.
    const clientGone = new AbortController();
    res.once('close', () => clientGone.abort());
    let delivery: Delivery;
    try {
      delivery = await decide(req, url, clientGone.signal);
    } catch (error) {
      delivery = jsonDelivery(internalError(`simulator error: ${String(error)}`));
    }
    if (!(await pause(latencyMs, clientGone.signal))) delivery = { kind: 'reset' };
    const status = deliveryStatus(delivery);
    stats.byStatus[status] = (stats.byStatus[status] ?? 0) + 1;
    stats.log.push({
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status,
      at,
    });
    writeDelivery(res, delivery);
  }

  const loopback = await listenOnLoopback(handle, options.port ?? 0);
  const { port } = loopback;
  setStorageOrigin(workspace, `http://127.0.0.1:${port}`);

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    workspace,
    stats,
    injectFaults: (kind, count, path) => faults.inject(kind, count, path),
    setRandomFaults: (randomFaults) => faults.setRandom(randomFaults),
    setLatency: (ms) => {
      latencyMs = checkDelay('latencyMs', ms);
    },
    setRequestsPerSecond: (rps) => limiter.setLimit(checkRequestsPerSecond(rps)),
    resetStats: () => Object.assign(stats, emptyStats()),
    close: loopback.close,
  };
}
