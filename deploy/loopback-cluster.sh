#!/usr/bin/env bash
# A NewsCms cluster on one machine, everything on loopback: PostgreSQL, Redis, N nodes and nginx in front.
#
#   bash deploy/loopback-cluster.sh up [--nodes N]   publish NewsCms, start N nodes (default 2) and nginx
#   bash deploy/loopback-cluster.sh status           each node, nginx, PostgreSQL and Redis
#   bash deploy/loopback-cluster.sh down             stop what `up` started (and nothing else), by process id
#
# Nodes listen on 127.0.0.1:5101, 5102, ...; nginx on 127.0.0.1:8080. The bootstrap administrator comes from the
# usual NewsCms__Bootstrap__* variables (without them, node 1's log has the setup code).
#
# Everything the cluster writes (published app, logs, pids, nginx config, the generated database password, shared
# media) lives in the state folder: $NEWSCMS_CLUSTER_DIR, by default .cluster/ at the repository root (git-ignored).
# Delete it after `down` to start again from an empty site.
#
# NEWSCMS_CLUSTER_DATABASE names the PostgreSQL database (default newscms_cluster; the cluster tests use one of
# their own). Development only: NEWSCMS_CLUSTER_PROVIDER=Sqlite runs the nodes on one shared SQLite file instead of
# PostgreSQL, and NEWSCMS_CLUSTER_REDIS_PORT picks another Redis port than 6379.
set -euo pipefail

repo=$(cd "$(dirname "$0")/.." && pwd)
state=${NEWSCMS_CLUSTER_DIR:-$repo/.cluster}
provider=${NEWSCMS_CLUSTER_PROVIDER:-PostgreSQL}
redis_port=${NEWSCMS_CLUSTER_REDIS_PORT:-6379}
proxy_url=http://127.0.0.1:8080
first_port=5101
database=${NEWSCMS_CLUSTER_DATABASE:-newscms_cluster}
# It goes into SQL and a connection string as it is: a plain lower-case name only.
[[ $database =~ ^[a-z_][a-z0-9_]*$ ]] || { echo "loopback-cluster: NEWSCMS_CLUSTER_DATABASE must be lower-case letters, digits and _ (got '$database')" >&2; exit 1; }
db_user=newscms

say() { echo "loopback-cluster: $*"; }
die() { echo "loopback-cluster: $*" >&2; exit 1; }

# Whether process $1 is alive and its command line contains $2 (so a recycled pid is never taken for ours).
is_ours() {
  local pid=$1 pattern=$2
  [ -n "$pid" ] && grep -qaF -- "$pattern" "/proc/$pid/cmdline" 2>/dev/null
}

# Stops process $1 with signal $2 and waits for it to exit (SIGKILL after 20 s).
stop_pid() {
  local pid=$1 signal=$2
  kill "-$signal" "$pid" 2>/dev/null || return 0
  for _ in $(seq 1 200); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  say "process $pid did not stop within 20 s; killing it"
  kill -KILL "$pid" 2>/dev/null || true
}

# HTTP status of a GET (000 when nothing answers).
http_status() { curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" || true; }

redis_answers() { [ "$(redis-cli -h 127.0.0.1 -p "$redis_port" ping 2>/dev/null)" = PONG ]; }

# The first PostgreSQL cluster Debian knows of: "version name port status datadir".
pg_cluster() { pg_lsclusters -h 2>/dev/null | awk 'NR == 1 { print $1, $2, $3, $4, $6 }'; }

# psql as a superuser: the postgres account over the Unix socket (peer auth) when we are root.
pg_admin() {
  local port=$1
  shift
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"
  else
    psql -X -q -v ON_ERROR_STOP=1 -p "$port" -d postgres "$@"
  fi
}

# Installs the Debian packages that are missing (as root), or says which ones to install.
install_missing() {
  local missing=()
  command -v nginx >/dev/null 2>&1 || missing+=(nginx)
  command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
  if [ "$provider" = PostgreSQL ] && ! command -v pg_ctlcluster >/dev/null 2>&1; then missing+=(postgresql); fi
  if [ ${#missing[@]} -eq 0 ]; then return 0; fi
  if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    die "missing: ${missing[*]}. Install them (apt-get install -y ${missing[*]}) or run this script as root."
  fi
  say "installing ${missing[*]} with apt-get..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${missing[@]}" >/dev/null
}

start_redis() {
  if redis_answers; then
    say "Redis already runs on 127.0.0.1:$redis_port; using it (down leaves it running)"
    return
  fi
  say "starting Redis on 127.0.0.1:$redis_port"
  mkdir -p "$state/redis"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$redis_port" --dir "$state/redis" \
    --pidfile "$state/redis/redis.pid" --logfile "$state/redis/redis.log"
  for _ in $(seq 1 50); do
    redis_answers && break
    sleep 0.1
  done
  redis_answers || die "Redis did not start; see $state/redis/redis.log"
  # Remembered, so that `down` stops this Redis and no other.
  cp "$state/redis/redis.pid" "$state/pids/redis"
}

# Starts PostgreSQL if it is not running, then makes the cluster's login and database. Prints the port.
start_postgres() {
  local version name port status datadir
  read -r version name port status datadir <<<"$(pg_cluster)"
  [ -n "${version:-}" ] || die "PostgreSQL is installed but has no cluster (create one: pg_createcluster --start <version> main)"
  if [ "$status" = online ]; then
    say "PostgreSQL $version/$name already runs on port $port; using it (down leaves it running)" >&2
  else
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL $version/$name is not running; start it (pg_ctlcluster $version $name start) or run this script as root"
    say "starting PostgreSQL $version/$name on port $port (loopback, Debian's default listen_addresses)" >&2
    pg_ctlcluster "$version" "$name" start >&2
    # Remembered, so that `down` stops this PostgreSQL and no other.
    head -n 1 "$datadir/postmaster.pid" >"$state/pids/postgresql"
  fi

  # The cluster's own login, with a random password kept in the state folder (never in the repository). Given on
  # standard input, so it does not show in the process list.
  local password_file=$state/postgres-password
  if [ ! -s "$password_file" ]; then
    (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' >"$password_file")
  fi
  local password
  password=$(cat "$password_file")
  pg_admin "$port" >/dev/null <<SQL
SELECT 'CREATE ROLE $db_user LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$db_user')\gexec
ALTER ROLE $db_user WITH LOGIN PASSWORD '$password';
SELECT 'CREATE DATABASE $database OWNER $db_user' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database')\gexec
SQL
  echo "$port"
}

# nginx in front of the nodes, with a config of its own in the state folder (the system's nginx is not touched).
write_nginx_config() {
  local nodes=$1 servers="" n
  for n in $(seq 1 "$nodes"); do
    servers+="        server 127.0.0.1:$((first_port + n - 1)) max_fails=1 fail_timeout=10s;"$'\n'
  done
  mkdir -p "$state/nginx/logs" "$state/nginx/temp"
  cat >"$state/nginx/nginx.conf" <<NGINX
# Written by deploy/loopback-cluster.sh for this run; paths are relative to the prefix $state/nginx.
worker_processes 1;
pid nginx.pid;
error_log logs/error.log;
events { worker_connections 1024; }

http {
    # The access log names the node that answered each request.
    log_format cluster '\$remote_addr [\$time_local] "\$request" \$status node=\$upstream_addr';
    access_log logs/access.log cluster;
    client_body_temp_path temp/body;
    proxy_temp_path temp/proxy;
    fastcgi_temp_path temp/fastcgi;
    uwsgi_temp_path temp/uwsgi;
    scgi_temp_path temp/scgi;
    # Image uploads: NewsCms:Media:MaxUploadMegabytes (10) plus the form around the file.
    client_max_body_size 12m;

    # Blazor's circuit runs over a WebSocket; other requests keep the connection to the node open.
    map \$http_upgrade \$connection_upgrade { default upgrade; '' ''; }

    # Affinity by a cookie, so a Blazor circuit (its page, /_blazor negotiation, WebSocket and reconnects) stays on
    # one node. ip_hash cannot do it here: every loopback client is 127.0.0.1, so all would land on one node. A
    # request without the cookie is hashed by its request id, and the newsroom's responses set the cookie to that
    # same id, so the next request goes where the first one went.
    map \$cookie_newscms_node \$newscms_affinity { '' \$request_id; default \$cookie_newscms_node; }
    map \$cookie_newscms_node \$newscms_node_cookie { '' "newscms_node=\$request_id; Path=/; HttpOnly; SameSite=Lax"; default ''; }

    upstream newscms {
        hash \$newscms_affinity consistent;
$servers        keepalive 16;
    }

    server {
        listen 127.0.0.1:8080;

        proxy_http_version 1.1;
        # \$http_host keeps the port (:8080), so addresses the app builds from the request stay right.
        proxy_set_header Host \$http_host;
        proxy_set_header X-Forwarded-Host \$http_host;
        proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto \$scheme;
        proxy_set_header Upgrade \$http_upgrade;
        proxy_set_header Connection \$connection_upgrade;
        # A node that is down (or answers 502/503, e.g. /healthz without its database) is skipped.
        proxy_next_upstream error timeout http_502 http_503;
        proxy_connect_timeout 2s;
        # The circuit pings every 15 s; an idle WebSocket is closed after this.
        proxy_read_timeout 120s;

        # Public pages: no affinity cookie. They are the same on every node, and a response that sets a cookie is
        # not stored by shared caches (CDNs, corporate proxies); the app never sets one on them either.
        location / {
            proxy_pass http://newscms;
        }

        # Where a circuit lives (the newsroom, first-run setup, Blazor's own endpoint) nginx sets its cookie when
        # the browser has none. These responses are private anyway and never cached by the app or anyone else.
        location ~ ^/(admin|setup|_blazor)(/|\$) {
            add_header Set-Cookie \$newscms_node_cookie always;
            proxy_pass http://newscms;
        }
    }
}
NGINX
}

start_node() {
  local n=$1 connection=$2 port=$((first_port + $1 - 1))
  # setsid: the node outlives this shell (and its terminal); exec keeps $! the node's own pid.
  (
    cd "$state/publish"
    # Exported, not given to env(1) as arguments: the connection string's password must not show in the process list.
    export ASPNETCORE_URLS="http://127.0.0.1:$port"
    export ASPNETCORE_ENVIRONMENT=Production
    export NewsCms__Database__Provider="$provider"
    export ConnectionStrings__NewsCms="$connection"
    export NewsCms__Redis__Configuration="127.0.0.1:$redis_port"
    export NewsCms__Media__Root="$state/media"
    export NewsCms__Site__BaseUrl="$proxy_url"
    export NewsCms__Site__AdditionalHosts__0=localhost
    export NewsCms__ReverseProxy__KnownProxies__0=127.0.0.1
    # Idle thread-pool threads sleep at once instead of spinning for work: here the nodes share the machine's cores
    # with each other, nginx, PostgreSQL and Redis, and a spinning node takes them from the rest (README, Performance).
    export DOTNET_ThreadPool_UnfairSemaphoreSpinLimit=0
    exec setsid dotnet NewsCms.Web.dll
  ) </dev/null >"$state/logs/node$n.log" 2>&1 &
  echo $! >"$state/pids/node$n"
  # Not this shell's job any more: its end is reported by wait_for_node and status, not by bash.
  disown $!
}

# Waits until node $1 answers /healthz with 200; fails with its log's end if it exits or takes over 3 minutes.
wait_for_node() {
  local n=$1 port=$((first_port + $1 - 1)) pid
  pid=$(cat "$state/pids/node$n")
  for _ in $(seq 1 360); do
    [ "$(http_status "http://127.0.0.1:$port/healthz")" = 200 ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      tail -n 30 "$state/logs/node$n.log" >&2
      die "node $n (port $port) exited; its log: $state/logs/node$n.log. Run: bash deploy/loopback-cluster.sh down"
    fi
    sleep 0.5
  done
  die "node $n (port $port) did not answer /healthz within 3 minutes; see $state/logs/node$n.log"
}

up() {
  local nodes=2
  while [ $# -gt 0 ]; do
    case $1 in
      --nodes) nodes=${2:-}; shift 2 || die "--nodes needs a number" ;;
      --nodes=*) nodes=${1#--nodes=}; shift ;;
      *) die "unknown option for up: $1" ;;
    esac
  done
  [[ $nodes =~ ^[1-9][0-9]?$ ]] || die "--nodes takes a number from 1 to 99"
  case $provider in
    PostgreSQL | Sqlite) ;;
    *) die "NEWSCMS_CLUSTER_PROVIDER must be PostgreSQL (the default) or Sqlite" ;;
  esac

  local f
  for f in "$state"/pids/node*; do
    if [ -e "$f" ] && is_ours "$(cat "$f")" NewsCms.Web.dll; then
      die "a cluster already runs (see status); run down first"
    fi
  done
  if is_ours "$(cat "$state/nginx/nginx.pid" 2>/dev/null || true)" "$state/nginx"; then
    die "the cluster's nginx still runs (see status); run down first"
  fi
  mkdir -p "$state/pids" "$state/logs" "$state/media"
  rm -f "$state"/pids/node*

  install_missing
  start_redis
  echo "$redis_port" >"$state/redis-port"
  local connection
  if [ "$provider" = PostgreSQL ]; then
    local pg_port
    pg_port=$(start_postgres)
    connection="Host=127.0.0.1;Port=$pg_port;Database=$database;Username=$db_user;Password=$(cat "$state/postgres-password")"
  else
    say "development mode: the nodes share one SQLite file ($state/sqlite/newscms.db)"
    mkdir -p "$state/sqlite"
    connection="Data Source=$state/sqlite/newscms.db"
  fi

  say "publishing NewsCms to $state/publish (log: $state/logs/publish.log)"
  if ! dotnet publish "$repo/src/NewsCms.Web" -c Release -o "$state/publish" --nologo >"$state/logs/publish.log" 2>&1; then
    tail -n 30 "$state/logs/publish.log" >&2
    die "dotnet publish failed"
  fi

  if [ -n "${NewsCms__Bootstrap__AdminEmail:-}" ]; then
    say "bootstrap administrator: $NewsCms__Bootstrap__AdminEmail (from NewsCms__Bootstrap__*)"
  fi

  # Node 1 first and alone: it applies the migrations. The others start once it is healthy.
  local n
  say "starting node 1 on 127.0.0.1:$first_port"
  start_node 1 "$connection"
  wait_for_node 1
  for n in $(seq 2 "$nodes"); do
    say "starting node $n on 127.0.0.1:$((first_port + n - 1))"
    start_node "$n" "$connection"
  done
  for n in $(seq 2 "$nodes"); do wait_for_node "$n"; done

  write_nginx_config "$nodes"
  nginx -p "$state/nginx" -c "$state/nginx/nginx.conf" -e "$state/nginx/logs/error.log" -t -q \
    || die "the nginx configuration does not pass nginx -t"
  nginx -p "$state/nginx" -c "$state/nginx/nginx.conf" -e "$state/nginx/logs/error.log"
  for _ in $(seq 1 50); do
    [ "$(http_status "$proxy_url/healthz")" = 200 ] && break
    sleep 0.1
  done
  [ "$(http_status "$proxy_url/healthz")" = 200 ] || die "nginx does not answer on $proxy_url; see $state/nginx/logs/error.log"

  if [ -z "${NewsCms__Bootstrap__AdminEmail:-}" ] && grep -q 'Setup code:' "$state/logs/node1.log"; then
    say "no account yet: $(grep -o 'Setup code: [A-Z0-9-]*' "$state/logs/node1.log" | tail -n 1) (open $proxy_url/setup)"
  fi
  echo "NewsCms cluster: $proxy_url"
}

status() {
  local f n pid port health found=0
  # The Redis port that up used.
  [ -z "${NEWSCMS_CLUSTER_REDIS_PORT:-}" ] && [ -s "$state/redis-port" ] && redis_port=$(cat "$state/redis-port")
  for f in "$state"/pids/node*; do
    [ -e "$f" ] || continue
    found=1
    n=${f##*/node}
    pid=$(cat "$f")
    port=$((first_port + n - 1))
    if is_ours "$pid" NewsCms.Web.dll; then
      health=$(http_status "http://127.0.0.1:$port/healthz")
      echo "node $n: pid $pid, 127.0.0.1:$port, /healthz $health"
    else
      echo "node $n: not running (was pid $pid), 127.0.0.1:$port"
    fi
  done
  [ "$found" -eq 1 ] || echo "nodes: none started (run: bash deploy/loopback-cluster.sh up)"

  pid=$(cat "$state/nginx/nginx.pid" 2>/dev/null || true)
  if is_ours "$pid" "$state/nginx"; then
    echo "nginx: pid $pid, $proxy_url, /healthz $(http_status "$proxy_url/healthz")"
  else
    echo "nginx: not running"
  fi

  local started=""
  [ -s "$state/pids/postgresql" ] && started=" (started by up, pid $(cat "$state/pids/postgresql"))"
  if command -v pg_lsclusters >/dev/null 2>&1; then
    read -r version name port pgstatus _ <<<"$(pg_cluster)"
    echo "PostgreSQL: ${version:-no cluster}/${name:-} port ${port:-?} ${pgstatus:-}$started"
  else
    echo "PostgreSQL: not installed"
  fi

  started=""
  [ -s "$state/pids/redis" ] && started=" (started by up, pid $(cat "$state/pids/redis"))"
  if redis_answers; then echo "Redis: 127.0.0.1:$redis_port answers PING$started"; else echo "Redis: 127.0.0.1:$redis_port not answering$started"; fi
}

down() {
  local f n pid
  for f in "$state"/pids/node*; do
    [ -e "$f" ] || continue
    n=${f##*/node}
    pid=$(cat "$f")
    if is_ours "$pid" NewsCms.Web.dll; then
      say "stopping node $n (pid $pid)"
      stop_pid "$pid" TERM
    fi
    rm -f "$f"
  done

  pid=$(cat "$state/nginx/nginx.pid" 2>/dev/null || true)
  if is_ours "$pid" "$state/nginx"; then
    say "stopping nginx (pid $pid)"
    stop_pid "$pid" QUIT
  fi

  pid=$(cat "$state/pids/redis" 2>/dev/null || true)
  # Redis names itself by its address, the postmaster by its data folder: never another Redis or a PostgreSQL backend.
  if is_ours "$pid" "redis-server 127.0.0.1:$redis_port"; then
    say "stopping the Redis that up started (pid $pid)"
    stop_pid "$pid" TERM
  fi
  rm -f "$state/pids/redis"

  pid=$(cat "$state/pids/postgresql" 2>/dev/null || true)
  local datadir
  datadir=$(pg_cluster | awk '{ print $5 }')
  if [ -n "$datadir" ] && is_ours "$pid" "postgres -D $datadir"; then
    # SIGINT is PostgreSQL's "fast" shutdown: it rolls back open transactions and stops cleanly.
    say "stopping the PostgreSQL that up started (pid $pid)"
    stop_pid "$pid" INT
  fi
  rm -f "$state/pids/postgresql"
  say "stopped"
}

case ${1:-} in
  up) shift; up "$@" ;;
  down) down ;;
  status) status ;;
  *) echo "usage: bash deploy/loopback-cluster.sh up [--nodes N] | status | down" >&2; exit 2 ;;
esac
