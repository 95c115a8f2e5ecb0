#!/usr/bin/env bash
# benches/sip.sh — Switchboard's SIP throughput, end to end, with the shared
# SIPp load harness. Not part of the test suite (Cargo only picks up benches/*.rs).
#
#   benches/sip.sh [options]
#
# What it measures (release build, loopback only):
#   calls     SIPp UAC playing a PBX trunk -> Switchboard (B2BUA) -> SIPp UAS
#             registered, with digest auth, as extension 1001. The ladder finds
#             the highest calls/s with zero failed calls; setup p50/p90/p99.
#   half      one step at half that rate (setup time at half load).
#   register  REGISTER/s with digest auth (401 then credentials) for
#             extension 1002, digest user == AOR.
#
# Why a SIPp wrapper for REGISTER: Switchboard answers 403 unless the To
# user (the AOR) is the digest username, and its extensions are 2-8 digits,
# while sip_register.sh always names its AORs u00001..uN. The wrapper
# (SIPP=WORK/sipp-aor) renames u00001 to 1002 in SIPp's injection file and
# then execs sipp, so the harness still samples the real SIPp's pid.
#
# Why the calls run without the harness's --auth: a call from an address in
# a trunk's `allow` list is a trunk call and is never challenged, while the
# harness's auth caller scenario (uac_call_auth.xml) requires a 401/407
# first. And the harness's --register-uas registers with auth only together
# with --auth. So this script registers the far end itself, authenticated
# (uac_register_auth.xml as 1001/demo1001, Contact = the UAS port), then runs
# sip_cps.sh without --auth and without --register-uas against that port.
#
# Step length matters: answered UDP server transactions linger 64*T1 = 32 s
# (Timers J and L) before they end, so a 10 s step never reaches the steady
# state. (Before the cap counted only unanswered transactions, this capped
# sustained calls at about 156/s.) For a sustained figure run one rate per
# invocation with --step-seconds 45 --refine 0 (every invocation starts a
# fresh server, so no earlier step's transactions are left).
#
# Steps: build release (unless SWITCHBOARD_BIN is set), create a demo
# database (extensions 1001-1020, passwords demo1001...) and a config with a
# trunk "demo-pbx" allowing 127.0.0.1 in a temp dir, start `switchboard
# serve` from the repository root (it reads dialplans/), run the harness,
# print the RESULT lines, stop the server by its pid.
#
# Options
#   --only "LIST"        any of: calls half register (default: all three)
#   --step-seconds S     seconds of arrivals per ladder step (default 10)
#   --hold-ms MS         call hold time (default 1000)
#   --cps-rates "R .."   call ladder (default: harness default)
#   --reg-rates "R .."   REGISTER ladder (default: 100 200 300 400 500 1000
#                        2000 3000 4000 5000: the harness starts at 500)
#   --repeat N           ladders per figure (default 1)
#   --refine N           bisection steps after the first failure (default 2)
#   --sip-port N         Switchboard's SIP UDP port (default 25160)
#   --keep-dir           keep the database too (config, server log and
#                        traces are always kept in the work dir)
# Environment
#   SWITCHBOARD_BIN      a built binary (skips the build)
#   CARGO_TARGET_DIR     where the release build goes (default: target)
#   SB_HARNESS           the harness folder (default: ../shared/harness,
#                        relative to the repository root)
#   RUST_LOG             server log level (default: warn; at info the server
#                        logs call.created/answered/ended for every call)
# Output: the harness logs on stderr, RESULT lines on stdout, traces in
# TMPDIR/sbbench.*/ (the path is printed). Exit 0 when every figure got a rate.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT" || exit 2
HARNESS=${SB_HARNESS:-../shared/harness}
HARNESS=$(cd "$HARNESS" 2>/dev/null && pwd) || { echo "no harness at ${SB_HARNESS:-../shared/harness}" >&2; exit 2; }

ONLY="calls half register" STEP_S=10 HOLD_MS=1000 REPEAT=1 REFINE=2 SIP_PORT=25160 KEEP_DIR=0
CPS_RATES="" REG_RATES="100 200 300 400 500 1000 2000 3000 4000 5000"
while (($#)); do
	case $1 in
	--only) ONLY=$2; shift ;;
	--step-seconds) STEP_S=$2; shift ;;
	--hold-ms) HOLD_MS=$2; shift ;;
	--cps-rates) CPS_RATES=$2; shift ;;
	--reg-rates) REG_RATES=$2; shift ;;
	--repeat) REPEAT=$2; shift ;;
	--refine) REFINE=$2; shift ;;
	--sip-port) SIP_PORT=$2; shift ;;
	--keep-dir) KEEP_DIR=1 ;;
	-h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 2 ;;
	*) echo "unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
	shift
done

# shellcheck source=/dev/null
source "$HARNESS/lib/common.sh" # log, die, stop_pid, pick_udp_port, sipp_probe
need "$SIPP" sip-tester

if [[ -n ${SWITCHBOARD_BIN:-} ]]; then
	BIN=$SWITCHBOARD_BIN
else
	log "building release (CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-target})"
	cargo build --release --bin switchboard >&2 || die "release build failed"
	BIN=${CARGO_TARGET_DIR:-$ROOT/target}/release/switchboard
fi
[[ -x $BIN ]] || die "no executable at $BIN"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/sbbench.XXXXXX")
OUT_ROOT=$WORK
SERVER_PID=""
stop_server() {
	[[ -n $SERVER_PID ]] && stop_pid "$SERVER_PID" 10
	SERVER_PID=""
}
finish() {
	stop_server
	cleanup
	((KEEP_DIR)) || rm -rf "$WORK/db.sqlite"*
}
trap finish EXIT
trap 'log "interrupted"; exit 130' INT TERM

udp_port_free 127.0.0.1 "$SIP_PORT" || die "UDP port $SIP_PORT is in use"
HTTP_PORT=$(pick_udp_port 127.0.0.1 $((SIP_PORT + 1000))) || die "no free port for HTTP"
DB="sqlite://$WORK/db.sqlite"
cat >"$WORK/switchboard.toml" <<EOF
http = "127.0.0.1:$HTTP_PORT"
sip = "127.0.0.1:$SIP_PORT"
database = "$DB"
dialplans = "$ROOT/dialplans"

# The load caller plays this PBX: its INVITEs come from 127.0.0.1 and
# dialplans/demo.toml rings the extension it dialled.
[[trunks]]
name = "demo-pbx"
vendor = "generic"
peers = ["127.0.0.1:5070"]
allow = ["127.0.0.1"]
options_interval_secs = 0
EOF

"$BIN" demo --config "$WORK/switchboard.toml" >"$WORK/demo.log" 2>&1 || { cat "$WORK/demo.log" >&2; die "demo data failed"; }

LEVEL=${RUST_LOG:-warn}
RUST_LOG=$LEVEL timeout 7200 "$BIN" serve --config "$WORK/switchboard.toml" >"$WORK/server.log" 2>&1 &
SERVER_PID=$!
track_pid "$SERVER_PID"
for ((i = 0; i < 40; i++)); do
	sipp_probe 127.0.0.1 "$SIP_PORT" && break
	kill -0 "$SERVER_PID" 2>/dev/null || { cat "$WORK/server.log" >&2; die "server exited"; }
	sleep 0.5
done
((i < 40)) || die "server does not answer OPTIONS on 127.0.0.1:$SIP_PORT"
log "switchboard pid $SERVER_PID on udp 127.0.0.1:$SIP_PORT (RUST_LOG=$LEVEL), work dir $WORK"

# register EXT PASS CONTACT_PORT -> authenticated REGISTER of EXT -> 127.0.0.1:PORT
register() {
	local dir=$WORK/register-$1
	mkdir -p "$dir"
	printf 'SEQUENTIAL\n%s;%s;127.0.0.1:%s\n' "$1" "$2" "$3" >"$dir/users.csv"
	(cd "$dir" && timeout 20 "$SIPP" "127.0.0.1:$SIP_PORT" -sf "$HARNESS/sipp/uac_register_auth.xml" \
		-i 127.0.0.1 -p "$(pick_udp_port 127.0.0.1 26300)" -inf users.csv -au "$1" -ap "$2" \
		-m 1 -timeout 10s -timeout_error -nostdin >sipp.out 2>&1)
}

# sipp with the harness's AOR u00001 renamed to extension 1002 (see the top)
cat >"$WORK/sipp-aor" <<EOF
#!/bin/sh
prev=
for arg in "\$@"; do
	[ "\$prev" = -inf ] && sed -i 's/^u00001;/1002;/' "\$arg"
	prev=\$arg
done
exec $(command -v "$SIPP") "\$@"
EOF
chmod +x "$WORK/sipp-aor"

loadavg() { cut -d' ' -f1-3 /proc/loadavg | tr ' ' '/'; }
CPS_ARGS=(--step-seconds "$STEP_S" --hold-ms "$HOLD_MS" --repeat "$REPEAT" --refine "$REFINE" --service 1001
	--server-pid "$SERVER_PID")
REG_ARGS=(--step-seconds "$STEP_S" --repeat "$REPEAT" --refine "$REFINE" --server-pid "$SERVER_PID")
[[ -n $CPS_RATES ]] && CPS_ARGS+=(--rates "$CPS_RATES")
[[ -n $REG_RATES ]] && REG_ARGS+=(--rates "$REG_RATES")

UAS_PORT=$(pick_udp_port 127.0.0.1 25270) || die "no free port for the UAS"
register 1001 demo1001 "$UAS_PORT" || die "REGISTER of 1001 failed (see $WORK/register-1001)"
log "registered 1001 -> 127.0.0.1:$UAS_PORT"

RESULTS=() MAX_CPS=0 STATUS=0
for fig in $ONLY; do
	la=$(loadavg)
	log "=== $fig (load average $la)"
	case $fig in
	calls)
		line=$("$HARNESS/sip_cps.sh" "${CPS_ARGS[@]}" --uas-port "$UAS_PORT" --out "$WORK/calls" "127.0.0.1:$SIP_PORT")
		MAX_CPS=$(sed -n 's/.*max_zero_failure_cps=\([0-9]*\).*/\1/p' <<<"$line")
		;;
	half)
		((MAX_CPS > 1)) || { log "half: no call rate measured yet, skipped"; continue; }
		line=$("$HARNESS/sip_cps.sh" "${CPS_ARGS[@]}" --rates "$((MAX_CPS / 2))" --refine 0 \
			--uas-port "$UAS_PORT" --out "$WORK/half" "127.0.0.1:$SIP_PORT")
		;;
	register)
		line=$(SIPP="$WORK/sipp-aor" "$HARNESS/sip_register.sh" "${REG_ARGS[@]}" --auth --users 1 \
			--auth-user 1002 --password demo1002 --out "$WORK/register" "127.0.0.1:$SIP_PORT")
		;;
	*) die "unknown figure '$fig'" ;;
	esac
	[[ $line == RESULT* ]] || STATUS=1
	[[ $line == *"max_zero_failure_"*"=0 "* ]] && STATUS=1
	RESULTS+=("$line figure=$fig rust_log=$LEVEL loadavg_before=$la")
	kill -0 "$SERVER_PID" 2>/dev/null || { log "the server died; log: $WORK/server.log"; STATUS=1; break; }
done

stop_server
log "server log: $WORK/server.log ($(wc -l <"$WORK/server.log") lines)"
printf '%s\n' "${RESULTS[@]}"
exit "$STATUS"
