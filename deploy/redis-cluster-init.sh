#!/bin/sh
# Creates the Redis Cluster of docker-compose.yml once: three primaries (redis-1..3), each with a
# replica (redis-4..6), the 16,384 slots split evenly. Run by the one-shot redis-init service before
# any edge or topology starts; on a cluster that already exists (a restart) it only waits for it to
# be healthy. redis-cli wants addresses, so the service names are resolved first; the nodes
# announce their names (cluster-announce-hostname), so clients follow MOVED redirections by name
# and survive a container getting a new address.
set -eu
NODES="redis-1 redis-2 redis-3 redis-4 redis-5 redis-6"
for n in $NODES; do
  until redis-cli -h "$n" ping >/dev/null 2>&1; do sleep 0.5; done
done
if redis-cli -h redis-1 cluster info | grep -q '^cluster_known_nodes:6'; then
  echo "redis cluster exists"
else
  ADDRS=""
  for n in $NODES; do
    ADDRS="$ADDRS $(getent hosts "$n" | awk '{print $1}'):6379"
  done
  # shellcheck disable=SC2086 # one argument per node
  redis-cli --cluster create $ADDRS --cluster-replicas 1 --cluster-yes
fi
until redis-cli -h redis-1 cluster info | grep -q '^cluster_state:ok'; do sleep 0.5; done
echo "redis cluster ok"
