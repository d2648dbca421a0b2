# Shell functions that start and stop private Redis and PostgreSQL servers in a folder of
# their own, on loopback. Sourced by scripts/devenv and scripts/test.

pg_bindir() {
  local d
  for d in /usr/lib/postgresql/*/bin; do [ -x "$d/initdb" ] && { echo "$d"; return; }; done
  echo "smsgw: PostgreSQL server binaries not found (run scripts/setup)" >&2
  return 1
}

# initdb and postgres refuse to run as root: run them as an unprivileged user on a folder it owns
# (from /, since the current folder may be one that user cannot enter).
as_pg_user() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u nobody -- "$@"); else "$@"; fi
}

# proc_alive PID NAME: PID is a live process called NAME. A killed process stays a zombie until
# its parent reaps it, and kill -0 succeeds on a zombie; a PID may also have been reused by now.
# So the state (Z: zombie, X: dead) and the name (comm, at most 15 characters) are read from /proc.
proc_alive() {
  local pid=$1 name=${2:0:15} stat comm state
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  read -r stat 2>/dev/null <"/proc/$pid/stat" || return 1
  read -r comm 2>/dev/null <"/proc/$pid/comm" || return 1
  state=${stat##*) }
  state=${state%% *}
  [ "$state" != Z ] && [ "$state" != X ] && [ "$comm" = "$name" ]
}

# stop_pid PID NAME: SIGTERM, up to 10 s for the process to go, then SIGKILL. Returns at once for
# a PID that is not a live NAME (gone, a zombie, or reused by another program).
stop_pid() {
  local pid=$1 name=$2 i
  proc_alive "$pid" "$name" || return 0
  kill "$pid" 2>/dev/null || return 0
  for ((i = 0; i < 100; i++)); do proc_alive "$pid" "$name" || return 0; sleep 0.1; done
  echo "smsgw: $name (pid $pid) did not stop in 10 s: SIGKILL" >&2
  kill -9 "$pid" 2>/dev/null || true
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
  local dir=$1 port=$2 pid
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --appendonly yes --appendfsync everysec \
    --save "" --daemonize no --logfile "$dir/redis.log" </dev/null >/dev/null 2>&1 &
  pid=$!
  echo "$pid" > "$dir/redis.pid"
  # PING answers LOADING (with exit code 0) while the AOF is read back: wait for PONG, from this
  # server: another one already on the port would answer too, while this one exits.
  local deadline=$((SECONDS + 60))
  until redis_ours "$port" "$pid"; do
    if ! proc_alive "$pid" redis-server; then
      echo "smsgw: redis-server on port $port exited:" >&2
      tail -3 "$dir/redis.log" >&2
      return 1
    fi
    if [ $SECONDS -ge $deadline ]; then echo "smsgw: redis on port $port did not come up in 60s" >&2; return 1; fi
    sleep 0.1
  done
}

redis_pong() { [ "$(redis-cli -p "$1" ping 2>/dev/null)" = PONG ]; }

# redis_ours PORT PID: the Redis answering PONG on PORT is process PID.
redis_ours() {
  redis_pong "$1" && redis-cli -p "$1" info server 2>/dev/null | tr -d '\r' | grep -qx "process_id:$2"
}

stop_redis() {
  local dir=$1
  [ -f "$dir/redis.pid" ] || return 0
  stop_pid "$(cat "$dir/redis.pid")" redis-server
  rm -f "$dir/redis.pid"
}

redis_running() { [ -f "$1/redis.pid" ] && proc_alive "$(cat "$1/redis.pid")" redis-server; }

# pg_files DIR: the folder that holds PostgreSQL's files for DIR (data/, logs, socket): DIR itself,
# or the private folder DIR links to (see pg_prepare).
pg_files() {
  if [ -L "$1" ]; then readlink "$1"; else echo "$1"; fi
}

# pg_prepare DIR: makes DIR usable by the server's user. As root the server runs as nobody, who
# cannot reach a DIR inside a private folder (a checkout under /root): the files then go to a
# folder of nobody's own under /var/tmp (mode 700), and DIR becomes a symlink to it, so that the
# next start, stop, `scripts/devenv down` and `wipe` find them again.
pg_prepare() {
  local dir=$1 target
  if [ -L "$dir" ]; then
    [ -d "$(readlink "$dir")" ] && return 0
    rm -f "$dir"  # the private folder was cleaned away (tmpfiles): start afresh
  fi
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] || return 0
  chown nobody "$dir"
  as_pg_user test -w "$dir" -a -x "$dir" && return 0
  if [ -e "$dir/data/PG_VERSION" ]; then
    echo "smsgw: $dir holds a PostgreSQL cluster that the user nobody cannot reach" >&2
    return 1
  fi
  target=$(mktemp -d /var/tmp/smsgw-pg-XXXXXX)
  chown nobody "$target"
  chmod 700 "$target"
  rm -rf "$dir"  # nothing in it yet but, at most, the log of a failed initdb
  ln -s "$target" "$dir"
  echo "smsgw: nobody cannot reach $dir; PostgreSQL's files are in $target (linked from there)" >&2
}

# pg_remove DIR: deletes DIR and, when it is a link, the private folder it links to.
pg_remove() {
  local dir=$1
  [ -L "$dir" ] && rm -rf "$(readlink "$dir")"
  rm -rf "$dir"
}

# start_postgres DIR PORT: a cluster of its own with trust auth on 127.0.0.1, database smsgw.
start_postgres() {
  local dir=$1 port=$2 bin files
  bin=$(pg_bindir) || return 1
  pg_prepare "$dir" || return 1
  files=$(pg_files "$dir")
  if [ ! -f "$files/data/PG_VERSION" ]; then
    as_pg_user "$bin/initdb" -D "$files/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 >"$files/initdb.log" 2>&1 \
      || { cat "$files/initdb.log" >&2; return 1; }
  fi
  if ! as_pg_user "$bin/pg_ctl" -D "$files/data" status >/dev/null 2>&1; then
    as_pg_user "$bin/pg_ctl" -D "$files/data" -l "$files/postgres.log" -w -t 60 \
      -o "-p $port -k $files -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200" start >/dev/null \
      || { tail -20 "$files/postgres.log" >&2; return 1; }
  fi
  wait_for "postgres on port $port" 30 "$bin/pg_isready" -h 127.0.0.1 -p "$port" -U postgres
  "$bin/psql" -h 127.0.0.1 -p "$port" -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='smsgw'" | grep -q 1 \
    || "$bin/createdb" -h 127.0.0.1 -p "$port" -U postgres smsgw
}

# postgres_pid DIR: the postmaster's PID while it runs (postmaster.pid may outlive a crash).
postgres_pid() {
  local files pid
  files=$(pg_files "$1")
  [ -f "$files/data/postmaster.pid" ] || return 1
  read -r pid <"$files/data/postmaster.pid" || return 1
  proc_alive "$pid" postgres && echo "$pid"
}

stop_postgres() {
  local dir=$1 bin files
  bin=$(pg_bindir) || return 1
  files=$(pg_files "$dir")
  [ -f "$files/data/postmaster.pid" ] || return 0
  as_pg_user "$bin/pg_ctl" -D "$files/data" -m fast -w stop >/dev/null
}

# free_port: a TCP port nothing listens on now, from the kernel's ephemeral range.
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}
