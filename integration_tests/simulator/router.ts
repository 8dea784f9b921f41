import type { Workspace } from './workspace.js';

export interface PageSizes {
  campaignActions: number;
  newslettersDefault: number;
  newslettersMax: number;
  senderIdentitiesDefault: number;
  senderIdentitiesMax: number;
  /** Default and maximum `limit` of a broadcast trigger's errors (undocumented). */
  triggerErrorsMax: number;
}

export interface RouteContext {
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  workspace: Workspace;
  pageSizes: PageSizes;
  /** The parsed JSON request body; undefined when the request has none. */
  body: unknown;
  /**
   * Object and relationship pages begin with the previous page's last entry again, as Customer.io's docs warn
   * such pages can repeat entries.
   */
  repeatPageEdges?: boolean;
}

/** What a handler answers; the server turns it into a JSON response (or a fault-mangled one). */
export interface ApiResponse {
  status: number;
  body: unknown;
}

export type RouteHandler = (context: RouteContext) => ApiResponse;

export interface RouteDefinition {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Path with `:name` placeholders for single segments, e.g. `/v1/campaigns/:campaign_id/actions`. */
  path: string;
  handler: RouteHandler;
  /** Defaults to true; `/v1/info/ip_addresses` is the one public route. */
  requiresAuth?: boolean;
}

export type RouteMatch =
  | { kind: 'found'; route: RouteDefinition; params: Record<string, string> }
  | { kind: 'method_not_allowed'; allowed: string[] }
  | { kind: 'not_found' };

interface CompiledRoute {
  route: RouteDefinition;
  pattern: RegExp;
  paramNames: string[];
}

function compile(route: RouteDefinition): CompiledRoute {
  const paramNames: string[] = [];
  const source = route.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      paramNames.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { route, pattern: new RegExp(`^${source}$`), paramNames };
}

export class Router {
  readonly #routes: CompiledRoute[];

  constructor(routes: readonly RouteDefinition[]) {
    this.#routes = routes.map(compile);
  }

  match(method: string, path: string): RouteMatch {
    const allowed: string[] = [];
    for (const { route, pattern, paramNames } of this.#routes) {
      const found = pattern.exec(path);
      if (found === null) continue;
      if (route.method !== method) {
        allowed.push(route.method);
        continue;
      }
      const params: Record<string, string> = {};
      paramNames.forEach((name, index) => {
        params[name] = decodeURIComponent(found[index + 1] ?? '');
      });
      return { kind: 'found', route, params };
    }
    return allowed.length > 0 ? { kind: 'method_not_allowed', allowed } : { kind: 'not_found' };
  }
}
