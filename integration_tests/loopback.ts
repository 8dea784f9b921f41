/**
 * Test equipment both simulators (the App API's, the Track API's) and their benchmarks share: an HTTP server on
 * 127.0.0.1 that closes once, a simulator's command line stopping on a signal, and a simulator started as a
 * process of its own.
 */
import { spawn } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LoopbackServer {
  port: number;
  url: string;
  /** Aborts `closing`, then closes every connection; the same promise however often it is called. */
  close(): Promise<void>;
  /** Aborted when the server starts closing: waits inside handlers end. */
  closing: AbortSignal;
}

export async function listenOnLoopback(
  handle: (req: IncomingMessage, res: ServerResponse) => Promise<void>,
  port = 0,
): Promise<LoopbackServer> {
  const server = createServer((req, res) => {
    void handle(req, res);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const bound = (server.address() as AddressInfo).port;
  const closing = new AbortController();
  let closed: Promise<void> | undefined;
  return {
    port: bound,
    url: `http://127.0.0.1:${bound}`,
    closing: closing.signal,
    close: () => {
      closed ??= new Promise<void>((resolve, reject) => {
        closing.abort();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closed;
    },
  };
}

/** A simulator's command line: close it on SIGINT or SIGTERM, then exit. */
export function closeOnSignals(close: () => Promise<void>): void {
  const stop = (): void => {
    close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

export interface SimulatorProcess {
  url: string;
  stop: () => void;
}

/** Runs a simulator's command line (`tsx main.ts … --port 0`) as a process and waits for the URL it prints. */
export async function startSimulatorProcess(
  tsx: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<SimulatorProcess> {
  const child = spawn(tsx, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...env } });
  const url = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const match = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
      if (match?.[1]) resolve(match[1]);
    });
    child.once('exit', () => reject(new Error(`simulator exited: ${text}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}
