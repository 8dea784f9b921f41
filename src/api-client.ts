import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from '@cio-connectors/kit/http-answers';
import type { Download, Params, RequestOptions, RequestScope } from '@cio-connectors/kit/http-client';
import { cancelled } from '@cio-connectors/kit/http-errors';
import type { JsonObject } from '@cio-connectors/kit/json';
import { type Page, type PageRequest, readPages } from './pagination.js';

/** What streams use: one client's budget and retries, seen through a stream's scope. */
export interface ApiClient {
  request(path: string, options?: RequestOptions): Promise<JsonObject>;
  get(path: string, params?: Params): Promise<JsonObject>;
  /** The whole answer: body, status, the server's clock and (with `keepText`) the body's text. */
  answer(path: string, options?: RequestOptions): Promise<Answer>;
  pages(request: PageRequest): AsyncGenerator<Page>;
  /**
   * A GET of a pre-signed link (an export's file in storage): the same HTTP stack (proxy, redirects, agents),
   * but no Authorization header and no place in the API's rate budget. Aborting `signal` drops it.
   */
  download(url: string, signal: AbortSignal): Promise<Download>;
  /** A pause between requests (an export's polls), cut short, as its requests are, when the stream is stopped. */
  wait(ms: number): Promise<void>;
}

/**
 * The requests of ApiClient, each written once on top of two primitives, `send` and `download`: the client
 * implements them, and a scoped view of it only passes its scope along.
 */
export abstract class Requests implements ApiClient {
  abstract send(path: string, options: RequestOptions): Promise<Answer>;
  abstract download(url: string, signal: AbortSignal): Promise<Download>;

  async request(path: string, options: RequestOptions = {}): Promise<JsonObject> {
    return (await this.send(path, options)).body;
  }

  get(path: string, params?: Params): Promise<JsonObject> {
    return this.request(path, params === undefined ? {} : { params });
  }

  answer(path: string, options: RequestOptions = {}): Promise<Answer> {
    return this.send(path, options);
  }

  pages(request: PageRequest): AsyncGenerator<Page> {
    return readPages(this, request);
  }

  wait(ms: number): Promise<void> {
    return sleep(ms);
  }
}

/** What a scoped view sends through: the client's two primitives, with the scope passed along. */
export interface ScopedTransport {
  send(path: string, options: RequestOptions, scope: RequestScope): Promise<Answer>;
  download(url: string, signal: AbortSignal, scope: RequestScope): Promise<Download>;
}

/** A client seen through one stream's scope: every request of ApiClient, sent with the scope. */
export class ScopedRequests extends Requests {
  readonly #transport: ScopedTransport;
  readonly #scope: RequestScope;

  constructor(transport: ScopedTransport, scope: RequestScope) {
    super();
    this.#transport = transport;
    this.#scope = scope;
  }

  override send(path: string, options: RequestOptions): Promise<Answer> {
    return this.#transport.send(path, options, this.#scope);
  }

  override download(url: string, signal: AbortSignal): Promise<Download> {
    return this.#transport.download(url, signal, this.#scope);
  }

  override async wait(ms: number): Promise<void> {
    try {
      await sleep(ms, undefined, { signal: this.#scope.signal });
    } catch (error) {
      if (this.#scope.signal.aborted) throw cancelled(`A ${Math.round(ms / 1000)} s wait between requests`);
      throw error;
    }
  }
}
