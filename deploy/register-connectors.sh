#!/bin/sh
# Registers the Parley connectors with the Connect worker's REST API, idempotently (PUT .../config
# creates or updates). Runs once in docker-compose.yml after the worker is up.
set -eu
CONNECT="${CONNECT_URL:-http://connect:8083}"
until curl -sf "$CONNECT/connectors" >/dev/null; do
  echo "waiting for $CONNECT"; sleep 2
done
for file in /connectors/cassandra-sink.json /connectors/search-sink.json /connectors/push-sink.json; do
  name=$(sed -n 's/^ *"name": *"\([^"]*\)".*/\1/p' "$file" | head -n 1)
  # the file is {"name": ..., "config": {...}}; PUT takes the config object alone
  config=$(tr -d '\n' < "$file" | sed 's/^.*"config": *\({.*}\) *} *$/\1/')
  echo "$config" | curl -sf -X PUT -H 'Content-Type: application/json' --data @- "$CONNECT/connectors/$name/config" >/dev/null
  echo "registered $name"
done
