# PostgreSQL for the tests: probe a local server, or run a throwaway cluster.
# Source it after common.sh.
# shellcheck shell=bash

# Fail fast rather than hang when a server is not answering.
export PGCONNECT_TIMEOUT=${PGCONNECT_TIMEOUT:-5}

# Does something accept connections on 127.0.0.1:5432?
pg_probe_local() {
    if command -v pg_isready >/dev/null; then
        pg_isready -q -h 127.0.0.1 -p 5432 -t 3
    else
        timeout 3 bash -c '</dev/tcp/127.0.0.1/5432' 2>/dev/null
    fi
}

# Prints the directory holding initdb and pg_ctl (the newest installed version), or
# fails. Debian keeps them off PATH, under /usr/lib/postgresql/VERSION/bin.
pg_server_bindir() {
    local dir initdb
    dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [[ -x $dir/initdb && -x $dir/pg_ctl ]]; then
        printf '%s\n' "$dir"
        return 0
    fi
    initdb=$(command -v initdb) || return 1
    dir=$(dirname "$(readlink -f "$initdb")")
    [[ -x $dir/pg_ctl ]] || return 1
    printf '%s\n' "$dir"
}

# pg_check_admin URL: can we connect, and may we create databases? Prints why not.
pg_check_admin() {
    local ok
    ok=$(psql "$1" -X -At -v ON_ERROR_STOP=1 -c \
        'SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user' 2>&1) ||
        {
            printf '%s\n' "$ok"
            return 1
        }
    [[ $ok == t ]] || {
        echo "the role cannot create databases"
        return 1
    }
}

# pg_url_with_db URL NAME: URL with its database replaced by NAME (keeps ?params).
pg_url_with_db() {
    local url=$1 name=$2 query=''
    if [[ $url == *\?* ]]; then
        query="?${url#*\?}"
        url=${url%%\?*}
    fi
    local rest=${url#*://}
    [[ $rest == */* ]] || url="$url/"
    printf '%s/%s%s\n' "${url%/*}" "$name" "$query"
}

# The throwaway cluster's state, for pg_stop_throwaway.
PG_TMP=
PG_OWNER=
PG_BIN=

# pg_start_throwaway: initdb into a temporary directory, start it on a free loopback
# port, export DATABASE_URL_PG (superuser `postgres`, trust auth). Call
# pg_stop_throwaway on exit.
pg_start_throwaway() {
    PG_BIN=$(pg_server_bindir) || die "no initdb/pg_ctl found: install the PostgreSQL server (Debian: apt-get install postgresql)"
    # initdb and postgres refuse to run as root, so run them as an ordinary user.
    local -a as_owner=()
    if ((EUID == 0)); then
        if getent passwd postgres >/dev/null; then PG_OWNER=postgres; else PG_OWNER=nobody; fi
        as_owner=(runuser -u "$PG_OWNER" --)
    else
        PG_OWNER=$(id -un)
    fi
    PG_TMP=$(mktemp -d /tmp/switchboard-pg.XXXXXX)
    [[ $EUID -ne 0 ]] || chown "$PG_OWNER" "$PG_TMP"
    chmod 700 "$PG_TMP"
    say "starting a throwaway PostgreSQL ($PG_BIN) in $PG_TMP as $PG_OWNER"

    "${as_owner[@]}" "$PG_BIN/initdb" -D "$PG_TMP/data" -U postgres -A trust -E UTF8 \
        --no-locale --no-sync >"$PG_TMP/initdb.log" 2>&1 ||
        {
            cat "$PG_TMP/initdb.log" >&2
            die "initdb failed"
        }

    # A random port that nothing answers on; retry if we lose a race for it.
    # Durability is pointless for a throwaway test cluster, so skip the fsyncs.
    local attempt port
    for attempt in 1 2 3 4 5; do
        port=$((20000 + RANDOM % 40000))
        if timeout 1 bash -c "</dev/tcp/127.0.0.1/$port" 2>/dev/null; then continue; fi
        if "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -l "$PG_TMP/postgres.log" -w -t 60 \
            -o "-p $port -k $PG_TMP -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
            start >/dev/null; then
            export DATABASE_URL_PG="postgres://postgres@127.0.0.1:$port/postgres"
            say "throwaway PostgreSQL is up: DATABASE_URL_PG=$DATABASE_URL_PG"
            return 0
        fi
        warn "PostgreSQL did not start on port $port (attempt $attempt):"
        tail -n 5 "$PG_TMP/postgres.log" >&2 || true
    done
    die "could not start the throwaway PostgreSQL; its log is $PG_TMP/postgres.log"
}

pg_stop_throwaway() {
    [[ -n $PG_TMP && -d $PG_TMP ]] || return 0
    local pidfile=$PG_TMP/data/postmaster.pid
    if [[ -f $pidfile ]]; then
        local -a as_owner=()
        ((EUID != 0)) || as_owner=(runuser -u "$PG_OWNER" --)
        if ! "${as_owner[@]}" "$PG_BIN/pg_ctl" -D "$PG_TMP/data" -m fast -w -t 30 stop >/dev/null 2>&1; then
            # Last resort: the postmaster's own pid, from its pid file.
            local pid
            pid=$(head -n 1 "$pidfile" 2>/dev/null || true)
            [[ -z $pid ]] || kill -KILL "$pid" 2>/dev/null || true
        fi
    fi
    rm -rf "$PG_TMP"
    say "throwaway PostgreSQL stopped"
    PG_TMP=
}
