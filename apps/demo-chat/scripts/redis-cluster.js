#!/usr/bin/env node
// Runs a local Redis Cluster for `scripts/cluster.js --redis-cluster`: startRedisCluster() of
// @arcade/cache-redis/testing (3 masters with 1 replica each, private redis-server processes on free
// ports of 127.0.0.1, no persistence, one temporary folder), then prints one line,
// `ready {"urls":[...],"masters":3,"replicas":3}`, once the cluster is ready.
//
// cluster.js starts it in a process group of its own, so that a Ctrl+C in the terminal reaches only
// cluster.js, which stops the instances first and this cluster last (SIGTERM). It also stops the cluster
// when its standard input closes: cluster.js went away, however it ended.

const { startRedisCluster } = require('@arcade/cache-redis/testing');

const MASTERS = 3;
const REPLICAS_PER_MASTER = 1;

let cluster;
let stopping = false;

function stop(code) {
  if (stopping) return;
  stopping = true;
  // Still starting: exiting is enough, @arcade/cache-redis/testing kills what it started at exit.
  if (!cluster) process.exit(code);
  cluster.stop().then(
    () => process.exit(code),
    (error) => {
      process.stderr.write(`could not stop the Redis Cluster: ${error.message}\n`);
      process.exit(1);
    },
  );
}

process.on('SIGTERM', () => stop(0));
process.on('SIGINT', () => stop(0));
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();

startRedisCluster({ masters: MASTERS, replicasPerMaster: REPLICAS_PER_MASTER }).then(
  (started) => {
    cluster = started;
    const ready = { urls: started.urls, masters: MASTERS, replicas: MASTERS * REPLICAS_PER_MASTER };
    process.stdout.write(`ready ${JSON.stringify(ready)}\n`);
  },
  (error) => {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  },
);
