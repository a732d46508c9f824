# Sourced by .ci/run: starts Debian's PostgreSQL and MariaDB in throwaway data directories
# on loopback ports for the oracle tests (tests/it/oracle.rs), exports their URLs, and stops
# them when the shell exits. Nothing is installed as a service and nothing outside the
# temporary directory is written.

ORACLE_PG_PORT="${ORACLE_PG_PORT:-55432}"
ORACLE_MYSQL_PORT="${ORACLE_MYSQL_PORT:-33306}"

install_databases() {
    local need=()
    ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
    command -v mariadbd >/dev/null || need+=(mariadb-server)
    if ((${#need[@]})); then
        apt-get update -q
        # The packages' own services are not wanted (no init system in CI anyway).
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${need[@]}"
    fi
}

stop_databases() {
    [[ -n "${ORACLE_DIR:-}" ]] || return 0
    if [[ -f "$ORACLE_DIR/pg/postmaster.pid" ]]; then
        runuser -u postgres -- "$ORACLE_PGBIN/pg_ctl" -D "$ORACLE_DIR/pg" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    if [[ -f "$ORACLE_DIR/my/mariadbd.pid" ]]; then
        kill "$(cat "$ORACLE_DIR/my/mariadbd.pid")" 2>/dev/null || true
        for _ in $(seq 50); do
            [[ -f "$ORACLE_DIR/my/mariadbd.pid" ]] || break
            sleep 0.2
        done
    fi
    rm -rf "$ORACLE_DIR"
    ORACLE_DIR=
}

start_databases() {
    install_databases
    ORACLE_DIR="$(mktemp -d /tmp/rollsafe-oracle.XXXXXX)"
    chmod 755 "$ORACLE_DIR"
    trap stop_databases EXIT

    # PostgreSQL: the newest major version Debian installed; trust auth on loopback only.
    ORACLE_PGBIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
    install -d -o postgres -g postgres "$ORACLE_DIR/pg"
    install -o postgres -g postgres /dev/null "$ORACLE_DIR/pg.log"
    runuser -u postgres -- "$ORACLE_PGBIN/initdb" -D "$ORACLE_DIR/pg" -U rollsafe -A trust \
        -E UTF8 --locale=C --no-sync >"$ORACLE_DIR/pg-initdb.log" 2>&1
    # Durability is irrelevant for a throwaway server: skip fsync to keep the tests fast,
    # and keep little WAL (every CREATE DATABASE writes its template into it).
    runuser -u postgres -- "$ORACLE_PGBIN/pg_ctl" -D "$ORACLE_DIR/pg" -l "$ORACLE_DIR/pg.log" -w \
        -o "-p $ORACLE_PG_PORT -c listen_addresses=127.0.0.1 -k $ORACLE_DIR/pg -c fsync=off -c full_page_writes=off -c synchronous_commit=off -c max_wal_size=96MB -c min_wal_size=32MB" \
        start >/dev/null
    export ROLLSAFE_TEST_PG_URL="postgres://rollsafe@127.0.0.1:$ORACLE_PG_PORT/postgres"
    echo "oracle: $("$ORACLE_PGBIN/postgres" --version) on 127.0.0.1:$ORACLE_PG_PORT"

    # MariaDB: no grant tables, so root connects without a password (loopback only).
    install -d -o mysql -g mysql "$ORACLE_DIR/my"
    mariadb-install-db --no-defaults --user=mysql --datadir="$ORACLE_DIR/my" \
        --skip-test-db --auth-root-authentication-method=normal >"$ORACLE_DIR/my-install.log" 2>&1
    mariadbd --no-defaults --user=mysql --datadir="$ORACLE_DIR/my" --port="$ORACLE_MYSQL_PORT" \
        --bind-address=127.0.0.1 --socket="$ORACLE_DIR/my/mariadbd.sock" --pid-file="$ORACLE_DIR/my/mariadbd.pid" \
        --skip-grant-tables --innodb-flush-log-at-trx-commit=0 --skip-log-bin \
        --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
        >"$ORACLE_DIR/mariadb.log" 2>&1 &
    for _ in $(seq 100); do
        mariadb-admin --no-defaults --socket="$ORACLE_DIR/my/mariadbd.sock" ping >/dev/null 2>&1 && break
        sleep 0.2
    done
    mariadb-admin --no-defaults --socket="$ORACLE_DIR/my/mariadbd.sock" ping >/dev/null
    export ROLLSAFE_TEST_MYSQL_URL="mysql://root@127.0.0.1:$ORACLE_MYSQL_PORT/mysql"
    echo "oracle: $(mariadbd --version) on 127.0.0.1:$ORACLE_MYSQL_PORT"
}
