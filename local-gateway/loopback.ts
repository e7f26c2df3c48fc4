/** The one address the local gateway, the Bedrock stand-in and the development IdP listen on. */
import type { Server } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Listens on 127.0.0.1 (`port` 0: a free one); rejects with the listen error (e.g. EADDRINUSE). */
export function listenOnLoopback(server: Server, port: number): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, LOOPBACK, () => resolve());
  });
}
