// Experiment (not labspec): every TCP socket labspec opens gets TCP_NODELAY, as if gather/ssh.ts called
// tcp.setNoDelay(true). Use: npm run bench -- --labspec-node-args "--import=./bench/experiments/nodelay.mjs"
import net from 'node:net';

const connect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (...args) {
  this.setNoDelay(true);
  return connect.apply(this, args);
};
