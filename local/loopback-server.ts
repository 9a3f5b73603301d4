/**
 * Listening on loopback for the local servers: a free port unless one is given, and a close that
 * does not wait for idle keep-alive connections (it destroys the sockets it tracked), so a stack
 * that stops frees every port at once.
 */
import type { Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface Listening {
  port: number;
  /** Closes the server and destroys its open connections. */
  close(): Promise<void>;
}

export async function listenOnLoopback(server: Server, host: string, port = 0): Promise<Listening> {
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}
