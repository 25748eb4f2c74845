#!/usr/bin/env bash
# Profiles the chat server under load: starts the load test (chat only, one run at RATE msg/s to 1,000 clients for
# 50 s), waits until the clients are connected plus 15 s, then samples the server's threads for 20 s with dotnet-trace
# and writes OUT.nettrace and OUT.speedscope.json. Summarize with: python3 benchmarks/profiling/top-frames.py OUT.speedscope.json
#
# usage: benchmarks/profiling/profile-chat.sh OUT [RATE]      (from the repository root, after
#        dotnet build benchmarks/ChatServer.LoadTest -c Release; dotnet-trace installed: dotnet tool install -g dotnet-trace)
set -euo pipefail
out=${1:?usage: profile-chat.sh OUT [RATE]}
rate=${2:-100}
trace=${DOTNET_TRACE:-$HOME/.dotnet/tools/dotnet-trace}
log="$out-load.txt"
dotnet run -c Release --no-build --project benchmarks/ChatServer.LoadTest -- \
  --target chat --runs 1 --rate "$rate" --duration 50 > "$log" 2>&1 &
load=$!
pid=""
for _ in $(seq 1 120); do
  pid=$(pgrep -f 'ChatServer.dll' | head -1 || true)
  if [ -n "$pid" ] && grep -q ' connected;' "$log"; then break; fi
  sleep 1
done
if [ -z "$pid" ]; then echo "the chat server did not start; see $log" >&2; kill $load; exit 1; fi
sleep 15
"$trace" collect -p "$pid" --profile dotnet-sampled-thread-time --duration 00:00:00:20 --format Speedscope -o "$out.nettrace" > "$out-trace.txt"
wait $load
grep -E '^\| chat' "$log" | head -1
