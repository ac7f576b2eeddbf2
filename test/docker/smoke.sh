#!/usr/bin/env bash
# The Docker image, built and run for real against a Docker engine (on these machines, the one
# ../shared/docker/local-engine.sh starts; run it first with the Dockerfile's Node major).
# Containers use the host network (the local engine runs without a bridge), so each uses its own
# loopback port. Checks, each failing the script with a message:
#   the build; /health and POST /segment with the baked model; HEALTHCHECK healthy on the default
#   port 8000 and on one set by PORT; the server runs as a non-root user; `docker stop` ends it
#   gracefully in under 2 s; --read-only with a tmpfs; a token from RFM_API_TOKEN; `rfm fit` on a
#   mounted folder as the host user. Prints the image size.
#
#   test/docker/smoke.sh            # builds the image as rfm:smoke
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
image=rfm:smoke
containers=()
work=$(mktemp -d)
cleanup() {
  for c in "${containers[@]}"; do docker rm -f "$c" >/dev/null 2>&1 || true; done
  rm -rf "$work"
}
trap cleanup EXIT
say() { echo "docker-smoke: $*" >&2; }
fail() { say "FAILED: $*"; for c in "${containers[@]}"; do docker logs "$c" 2>&1 | tail -5 >&2 || true; done; exit 1; }
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

say "building $image"
start=$(date +%s)
docker build --network host -q -t "$image" "$root" >/dev/null || fail "docker build"
say "built in $(( $(date +%s) - start )) s; image size $(docker image inspect "$image" --format '{{.Size}}' | awk '{printf "%.0f MB", $1/1e6}')"

# Starts a detached container (health checked every second) and waits until /health answers.
run_server() { # name port [docker run options...] -- [rfm arguments...]
  local name=$1 port=$2; shift 2
  local opts=() args=()
  while [ $# -gt 0 ] && [ "$1" != "--" ]; do opts+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  args=("$@")
  port_busy "$port" && fail "port $port is already in use on this machine"
  containers+=("$name")
  docker run -d --name "$name" --network host --health-interval=1s --health-start-period=10s \
    "${opts[@]}" "$image" "${args[@]}" >/dev/null || fail "docker run $name"
  for _ in $(seq 1 150); do
    curl -fsS "http://127.0.0.1:$port/health" >/dev/null 2>&1 && return 0
    [ "$(docker inspect -f '{{.State.Running}}' "$name")" = true ] || fail "$name exited: $(docker logs "$name" 2>&1 | tail -3)"
    sleep 0.2
  done
  fail "$name: /health did not answer on port $port"
}

wait_healthy() { # name
  for _ in $(seq 1 60); do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$1")" = healthy ] && return 0
    sleep 0.5
  done
  fail "$1 never became healthy (status $(docker inspect -f '{{.State.Health.Status}}' "$1"))"
}

# 1. The image as it comes: default CMD (serve on 0.0.0.0:8000), the baked model.
run_server rfm-smoke-default 8000 --
wait_healthy rfm-smoke-default
curl -fsS http://127.0.0.1:8000/health | grep -q '"status":"ok"' || fail "/health on 8000"
answer=$(curl -fsS -H 'content-type: application/json' -d '{"recency":250,"frequency":1,"monetary":40}' http://127.0.0.1:8000/segment)
echo "$answer" | grep -q '"segment":"' || fail "POST /segment with the baked model: $answer"
uid=$(docker exec rfm-smoke-default id -u)
[ "$uid" != 0 ] || fail "the server runs as root"
pid1=$(docker exec rfm-smoke-default sh -c 'basename "$(readlink /proc/1/exe)"')
[ "$pid1" = node ] || fail "PID 1 is $pid1, not node (signals would not reach rfm serve)"
say "default port: healthy, /segment answered ($answer), uid $uid, PID 1 is node"

# 2. docker stop: SIGTERM reaches rfm serve, which drains and exits 0 well before Docker's 10 s kill.
start_ms=$(date +%s%3N)
docker stop rfm-smoke-default >/dev/null
stop_ms=$(( $(date +%s%3N) - start_ms ))
code=$(docker inspect -f '{{.State.ExitCode}}' rfm-smoke-default)
[ "$stop_ms" -lt 2000 ] || fail "docker stop took $stop_ms ms"
[ "$code" = 0 ] || fail "exit code $code after docker stop"
say "docker stop: $stop_ms ms, exit code $code"

# 3. Another port from $PORT, read-only root file system with a tmpfs, a token from the environment.
run_server rfm-smoke-port 18471 --read-only --tmpfs /tmp -e PORT=18471 -e RFM_API_TOKEN=s3cret --
wait_healthy rfm-smoke-port
status=$(curl -s -o /dev/null -w '%{http_code}' -H 'content-type: application/json' -d '{"recency":5,"frequency":15,"monetary":25000}' http://127.0.0.1:18471/segment)
[ "$status" = 401 ] || fail "no token: status $status, not 401"
curl -fsS -H 'authorization: Bearer s3cret' -H 'content-type: application/json' \
  -d '{"recency":5,"frequency":15,"monetary":25000}' http://127.0.0.1:18471/segment | grep -q '"segment":"' || fail "with the token"
say "PORT=18471, --read-only: healthy; 401 without the token, 200 with it"

# 4. serve --port N given as arguments: the HEALTHCHECK follows it too.
run_server rfm-smoke-arg 18472 -- serve --host 127.0.0.1 --port 18472
wait_healthy rfm-smoke-arg
say "serve --port 18472: healthy"

# 5. Any other command on a mounted folder, as the host user (`--user "$(id -u):$(id -g)"`, as the
# README says): the model belongs to that user. CI runs as root, so a made-up uid stands for it.
host_user=${SMOKE_USER:-4321:4321}
cp "$root/fixtures/online_retail_sample.csv" "$work/tx.csv"
chmod 777 "$work"
docker run --rm --network host --user "$host_user" -v "$work:/data" "$image" \
  fit /data/tx.csv -m /data/m.json -q --format json >"$work/fit.json" || fail "rfm fit in a container"
grep -q '"customers": 4339' "$work/fit.json" || fail "fit in a container: not 4,339 customers"
[ "$(stat -c %u:%g "$work/m.json")" = "$host_user" ] || fail "the model is owned by $(stat -c %u:%g "$work/m.json"), not $host_user"
say "fit on a mounted folder as $host_user: model written, owned by $host_user, 4,339 customers"
say "ok"
