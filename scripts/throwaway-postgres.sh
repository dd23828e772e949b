#!/usr/bin/env bash
# A PostgreSQL server for the tests: its own folder, loopback only, trust auth, gone afterwards.
# initdb refuses to run as root, so the server runs as the postgres user.

pg_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }

start_postgres() {
  local dir="$1" bin port
  bin=$(pg_bin)
  port=${MIDRC_TEST_PG_PORT:-55432}
  while (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do port=$((port + 1)); done
  mkdir -p "$dir"
  if [ "$(id -u)" -eq 0 ]; then
    chown postgres "$dir"
    su postgres -c "$bin/initdb -D $dir/data -U postgres --auth=trust -E UTF8 >/dev/null"
    su postgres -c "$bin/pg_ctl -D $dir/data -o '-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off' -l $dir/log -w start >/dev/null"
  else
    "$bin/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 >/dev/null
    "$bin/pg_ctl" -D "$dir/data" -o "-c listen_addresses=127.0.0.1 -p $port -k $dir -c fsync=off" -l "$dir/log" -w start >/dev/null
  fi
  export MIDRC_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
  echo "PostgreSQL for the tests on 127.0.0.1:$port"
}

stop_postgres() {
  local dir="$1" bin
  bin=$(pg_bin)
  [ -d "$dir/data" ] || return 0
  if [ "$(id -u)" -eq 0 ]; then
    su postgres -c "$bin/pg_ctl -D $dir/data -m immediate stop >/dev/null" || true
  else
    "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null || true
  fi
}
