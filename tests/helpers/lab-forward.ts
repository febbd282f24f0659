import { spawn } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';

/**
 * A TCP port on 127.0.0.1 of this machine that reaches `address`:`port` inside the lab's network namespace, the
 * way an image builder's port forward (QEMU's hostfwd, a cloud's floating IP) reaches the VM it booted: a CI step
 * on this machine connects to the forward, and the lab host sees the connection come from the lab network.
 *
 * The listening socket is made here, in this machine's namespace, and handed to a Node child started inside the
 * lab's (`prefix`, e.g. labExecPrefix()), which accepts on it and connects to the host from there.
 */
export async function forwardIntoLab(
  prefix: string[],
  address: string,
  port: number,
): Promise<{ port: number; stop(): Promise<void> }> {
  const relay = `
    const net = require('node:net');
    const [address, port] = [process.argv[1], Number(process.argv[2])];
    process.on('message', (_, server) => {
      server.on('connection', (client) => {
        const host = net.connect(port, address);
        client.pipe(host).pipe(client);
        client.on('error', () => host.destroy());
        host.on('error', () => client.destroy());
      });
      process.send('ready');
    });
    process.on('disconnect', () => process.exit(0));
  `;
  const [program, ...args] = [...prefix, process.execPath, '-e', relay, address, String(port)];
  const child = spawn(program!, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const local = (server.address() as AddressInfo).port;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    server.close();
  };
  try {
    await new Promise<void>((resolve, reject) => {
      child.once('error', reject);
      child.once('exit', (code) => reject(new Error(`the lab's port forward exited (${code})`)));
      child.once('message', () => resolve());
      // Only the child accepts: this process's copy of the socket is closed once handed over.
      child.send('server', server, () => server.close());
    });
  } catch (error) {
    await stop();
    throw error;
  }
  return { port: local, stop };
}
