// A tiny HTTP forward proxy on 127.0.0.1 for tests: it takes requests in absolute form (`GET http://host/path`),
// forwards them to their host, and records each one, so a test can tell which requests went through a proxy.

import { createServer, type IncomingHttpHeaders, request } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedRequest {
  method: string;
  /** The absolute URL the client asked the proxy for. */
  url: string;
  headers: IncomingHttpHeaders;
}

export interface ForwardProxy {
  url: string;
  requests: ProxiedRequest[];
  close(): Promise<void>;
}

export async function startForwardProxy(): Promise<ForwardProxy> {
  const requests: ProxiedRequest[] = [];
  const server = createServer((req, res) => {
    const target = new URL(req.url ?? '');
    requests.push({ method: req.method ?? 'GET', url: target.href, headers: req.headers });
    const {
      'proxy-authorization': _proxyAuth,
      'proxy-connection': _proxyConnection,
      ...headers
    } = req.headers;
    const upstream = request(
      {
        hostname: target.hostname,
        port: target.port,
        path: `${target.pathname}${target.search}`,
        method: req.method,
        headers: { ...headers, host: target.host },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
