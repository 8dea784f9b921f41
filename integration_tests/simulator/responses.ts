import type { ApiResponse } from './router.js';

/** The App API's standard error envelope (reference §2.3). */
export function errorResponse(status: number, detail: string): ApiResponse {
  return { status, body: { errors: [{ detail, status: String(status) }] } };
}

export function ok(body: unknown): ApiResponse {
  return { status: 200, body };
}

export function badRequest(detail: string): ApiResponse {
  return errorResponse(400, detail);
}

export function notFound(detail = 'not found'): ApiResponse {
  return errorResponse(404, detail);
}

export function unauthorized(): ApiResponse {
  return errorResponse(401, 'Unauthorized request. Make sure that you provided the right credentials.');
}

export function forbidden(): ApiResponse {
  return errorResponse(403, 'Forbidden: this API key does not have the scope required for this resource.');
}

/** What a host of the other region answers a key of this one (issue 13; not in the reference, which says 401). */
export function wrongDatacenter(): ApiResponse {
  return { status: 301, body: { detail: 'wrong datacenter' } };
}

export function methodNotAllowed(allowed: readonly string[]): ApiResponse {
  return errorResponse(405, `method not allowed; use ${allowed.join(', ')}`);
}

export function rateLimited(limit: number, reference: string): ApiResponse {
  return errorResponse(429, `rate limited to ${limit} requests per 1s (reference ${reference})`);
}

export function internalError(detail = 'internal server error'): ApiResponse {
  return errorResponse(500, detail);
}

export function serviceUnavailable(): ApiResponse {
  return errorResponse(503, 'service temporarily unavailable');
}

/** What a captive portal or an authenticating proxy answers in place of any URL. */
export const SIGN_IN_HTML =
  '<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n<body><form method="post" action="/login">' +
  '<input name="user"><input name="password" type="password"><button>Sign in</button></form></body></html>\n';

export const BAD_GATEWAY_HTML =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n' +
  '<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n';
