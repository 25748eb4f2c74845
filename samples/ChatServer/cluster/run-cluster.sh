#!/usr/bin/env bash
# Runs the chat on three nodes behind HAProxy, on one machine: one redis-server, three chat servers sharing it
# (Chat:Redis, Chat:Store:Kind=Redis) and HAProxy in front (haproxy.cfg.template: round robin, no stickiness,
# WebSockets passed through, /health checked). Prints the one URL to open; Ctrl+C stops everything.
#
# Needs: the .NET SDK, redis-server and haproxy (Debian: apt-get install redis-server haproxy).
# Ports (loopback only), each can be changed through the environment:
#   CHAT_BALANCER_PORT (5100), CHAT_NODE_PORTS ("5101 5102 5103"), CHAT_REDIS_PORT (6390).
# State: samples/ChatServer/cluster/.data/ (ignored by git): Redis's append-only file (kept across runs, so the history
# is too), each node's folder and every process's log. Delete the folder to start afresh.
set -euo pipefail

cluster="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$cluster/../../.." && pwd)"
balancer_port="${CHAT_BALANCER_PORT:-5100}"
read -r -a node_ports <<<"${CHAT_NODE_PORTS:-5101 5102 5103}"
redis_port="${CHAT_REDIS_PORT:-6390}"
data="$cluster/.data"
app="$root/artifacts/chat"

for tool in dotnet redis-server redis-cli haproxy curl; do
  command -v "$tool" >/dev/null 2>&1 || { echo "$tool was not found: install it first (see the README, \"Run on several nodes\")." >&2; exit 1; }
done

pids=()
stop() {
  trap - INT TERM EXIT
  echo
  echo "Stopping ${#pids[@]} processes..."
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  wait "${pids[@]}" 2>/dev/null || true
  echo "Stopped. Logs and data are in $data"
}
trap stop EXIT
trap 'stop; exit 130' INT TERM

# Waits (at most 60 s) until $2 answers 200, or fails with the log $3 when the process $1 exits or time runs out.
wait_healthy() {
  local pid="$1" url="$2" log="$3"
  for _ in $(seq 1 300); do
    if curl -sf -o /dev/null "$url"; then
      return 0
    fi
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "The process behind $url exited; its log ($log):" >&2
      tail -n 30 "$log" >&2
      exit 1
    fi
    sleep 0.2
  done
  echo "$url did not answer 200 within 60 s; the log ($log):" >&2
  tail -n 30 "$log" >&2
  exit 1
}

# 1. Build once: the published app serves the Blazor client from its wwwroot (a build output only does so in the
#    Development profile).
echo "Publishing the chat to $app ..."
# A clean clone has no artifacts folder yet: the publish log goes there.
mkdir -p "$root/artifacts"
dotnet publish "$root/samples/ChatServer" -c Release -o "$app" >"$root/artifacts/chat-publish.log" 2>&1 \
  || { tail -n 30 "$root/artifacts/chat-publish.log"; echo "dotnet publish failed (log: artifacts/chat-publish.log)." >&2; exit 1; }

mkdir -p "$data/redis"

# 2. Redis: every write on disk before it is answered (append-only file, fsync always), as docs/scale-out.md recommends.
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$data/redis" --appendonly yes --appendfsync always \
  --save "" --daemonize no --logfile "" >"$data/redis.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 100); do
  [ "$(redis-cli -p "$redis_port" ping 2>/dev/null || true)" = "PONG" ] && break
  kill -0 "${pids[-1]}" 2>/dev/null || { cat "$data/redis.log" >&2; exit 1; }
  sleep 0.2
done

# 3. The nodes, each with a folder of its own for anything it keeps on disk.
servers=""
for i in "${!node_ports[@]}"; do
  n=$((i + 1))
  port="${node_ports[$i]}"
  mkdir -p "$data/node$n"
  Chat__Redis="127.0.0.1:$redis_port" \
  Chat__Store__Kind=Redis \
  Chat__Store__Path="$data/node$n/chat.db" \
  ASPNETCORE_ENVIRONMENT=Production \
    dotnet "$app/ChatServer.dll" --urls "http://127.0.0.1:$port" --contentRoot "$app" >"$data/node$n.log" 2>&1 &
  pids+=($!)
  servers+="server node$n 127.0.0.1:$port check"$'\n'
done
for i in "${!node_ports[@]}"; do
  wait_healthy "${pids[$((i + 1))]}" "http://127.0.0.1:${node_ports[$i]}/health" "$data/node$((i + 1)).log"
done

# 4. HAProxy, its configuration written from the template (comments as they are, placeholders replaced).
CLUSTER_SERVERS="$servers" awk -v port="$balancer_port" -v socket="$data/haproxy.sock" '
  /^[ \t]*#/ { print; next }
  /^[ \t]*\{\{SERVERS\}\}[ \t]*$/ { indent = $0; sub(/[^ ].*/, "", indent); n = split(ENVIRON["CLUSTER_SERVERS"], lines, "\n"); for (i = 1; i <= n; i++) if (lines[i] != "") print indent lines[i]; next }
  { gsub(/\{\{BALANCER_PORT\}\}/, port); gsub(/\{\{STATS_SOCKET\}\}/, socket); print }
' "$cluster/haproxy.cfg.template" >"$data/haproxy.cfg"
haproxy -db -f "$data/haproxy.cfg" >"$data/haproxy.log" 2>&1 &
pids+=($!)
wait_healthy "${pids[-1]}" "http://127.0.0.1:$balancer_port/health" "$data/haproxy.log"

echo
echo "Redis    127.0.0.1:$redis_port (data: $data/redis)"
for i in "${!node_ports[@]}"; do
  echo "Node $((i + 1))   http://127.0.0.1:${node_ports[$i]} (log: $data/node$((i + 1)).log)"
done
echo "HAProxy  round robin over the nodes (config: $data/haproxy.cfg)"
echo
echo "Open http://127.0.0.1:$balancer_port/ (Ctrl+C stops everything)"
# Until Ctrl+C (the trap above), or until one of the processes exits by itself.
wait -n "${pids[@]}" || true
echo "A process exited (see its log in $data); stopping the others." >&2
