# Shell functions that start and stop private Redis and PostgreSQL servers in a folder of
# their own, on loopback. Sourced by scripts/devenv and scripts/test.

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  echo "smsgw: PostgreSQL server binaries not found (run scripts/setup)" >&2
  return 1
}

# initdb and postgres refuse to run as root: run them as an unprivileged user on a folder it owns.
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then runuser -u nobody -- "$@"; else "$@"; fi
}

# wait_for DESCRIPTION SECONDS COMMAND...: polls COMMAND until it succeeds or time runs out.
wait_for() {
  local what=$1 seconds=$2; shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    if [ $SECONDS -ge $deadline ]; then echo "smsgw: $what did not come up in ${seconds}s" >&2; return 1; fi
    sleep 0.1
  done
}

# start_redis DIR PORT: AOF on, fsync every second, as in production.
start_redis() {
  local dir=$1 port=$2
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync everysec \
    --save "" --daemonize no --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
  echo $! > "$dir/redis.pid"
  # PING answers LOADING (with exit code 0) while the AOF is read back: wait for PONG.
  wait_for "redis on port $port" 60 redis_pong "$port"
}

redis_pong() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; }

stop_redis() {
  local dir=$1
  [ -f "$dir/redis.pid" ] || return 0
  local pid; pid=$(cat "$dir/redis.pid")
  kill "$pid" 2>/dev/null && while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$dir/redis.pid"
}

# start_postgres DIR PORT: a cluster of its own with trust auth on 127.0.0.1, database smsgw.
start_postgres() {
  local dir=$1 port=$2 bin
  bin=$(pg_bindir) || return 1
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown nobody "$dir"
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    as_pg_user "$bin/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
      || { cat "$dir/initdb.log" >&2; return 1; }
  fi
  if ! as_pg_user "$bin/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
    as_pg_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null \
      || { tail -20 "$dir/postgres.log" >&2; return 1; }
  fi
  wait_for "postgres on port $port" 30 "$bin/pg_isready" -h 127.0.0.1 -p "$port" -U postgres
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='smsgw'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres smsgw
}

stop_postgres() {
  local dir=$1 bin
  bin=$(pg_bindir) || return 1
  [ -f "$dir/data/postmaster.pid" ] || return 0
  as_pg_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
}

# free_port: a TCP port nothing listens on now, from the kernel's ephemeral range.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
