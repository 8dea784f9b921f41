import { AxiosError, type AxiosResponse, type InternalAxiosRequestConfig } from 'axios';
import { HTML_BODY, INVALID_BODY } from './http-errors.js';
import { type JsonObject, parseJson } from './json.js';

/** A parsed answer, and the server's clock (its `Date` header) for answers whose meaning depends on "today". */
export interface Answer {
  body: JsonObject;
  serverTime: number | undefined;
  /** The 2xx status: 200, or e.g. 207 (Track's partial success), 204. */
  status: number;
  /** The body's JSON text as it came, when the request asked for it (`keepText`). */
  text?: string;
}

/**
 * The client's response interceptor: a 2xx body parsed as JSON (its text kept for `answerOf`), or an error the
 * retry rules know (a web page, a body that is not JSON).
 */
export function readJson(response: AxiosResponse): AxiosResponse {
  return parseJsonBody(rejectWebPage(response));
}

/** The answer of a 2xx response read by `readJson`: its body, status, the server's clock and (with `keepText`) its text. */
export function answerOf(response: AxiosResponse<JsonObject>, keepText: boolean): Answer {
  const date = Date.parse(String(response.headers.date ?? ''));
  // Taken off at once: the response lives on with its keep-alive socket until the next request on it.
  const text = (response as WithBodyText)[BODY_TEXT];
  delete (response as WithBodyText)[BODY_TEXT];
  return {
    body: response.data,
    serverTime: Number.isNaN(date) ? undefined : Math.floor(date / 1000),
    status: response.status,
    ...(keepText && text !== undefined ? { text } : {}),
  };
}

/** A 2xx web page is a proxy's or captive portal's sign-in page, not Customer.io: not retried as broken JSON. */
function rejectWebPage(response: AxiosResponse): AxiosResponse {
  const type = response.headers['content-type'];
  if (
    typeof response.data !== 'string' ||
    typeof type !== 'string' ||
    !type.toLowerCase().includes('text/html')
  )
    return response;
  throw new AxiosError(
    `a web page (${type}) came back instead of JSON`,
    HTML_BODY,
    response.config as InternalAxiosRequestConfig,
    response.request,
    response,
  );
}

/** Where a parsed answer keeps its text, until `answerOf` passes it on (where the request asks for it) or drops it. */
const BODY_TEXT = Symbol('body text');
type WithBodyText = AxiosResponse & { [BODY_TEXT]?: string };

function parseJsonBody(response: AxiosResponse): AxiosResponse {
  const raw = response.data as unknown;
  if (typeof raw !== 'string') return response;
  try {
    response.data = raw === '' ? {} : parseJson(raw);
    (response as WithBodyText)[BODY_TEXT] = raw;
  } catch {
    throw new AxiosError(
      `response body is not valid JSON (${raw.length} bytes, possibly truncated)`,
      INVALID_BODY,
      response.config as InternalAxiosRequestConfig,
      response.request,
      response,
    );
  }
  return response;
}
