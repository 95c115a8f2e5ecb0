# Bounded steps and a summary table, for scripts/test and .ci/run. Source it after
# common.sh. It sets the INT and TERM traps; callers own the EXIT trap.
# shellcheck shell=bash disable=SC2154 # the colours come from common.sh

_STEP_NAMES=()
_STEP_RESULTS=()
_STEP_SECS=()
_STEP_PID=

# `timeout` puts the step in a process group of its own and, when it gets a signal,
# passes it on to that whole group (cargo's test binaries, npm's node, the server and
# Chromium the e2e suite starts). Ctrl-C reaches only our own group, so forward it,
# then exit: the caller's EXIT trap cleans up (for example a throwaway PostgreSQL).
_steps_on_signal() {
    local signo=$1
    if [[ -n $_STEP_PID ]]; then
        kill -TERM "$_STEP_PID" 2>/dev/null || true
        wait "$_STEP_PID" 2>/dev/null || true
    fi
    exit $((128 + signo))
}
trap '_steps_on_signal 2' INT
trap '_steps_on_signal 15' TERM

step_record() { # NAME RESULT SECONDS
    _STEP_NAMES+=("$1")
    _STEP_RESULTS+=("$2")
    _STEP_SECS+=("$3")
}

# step NAME SECONDS COMMAND...: runs COMMAND, killed after SECONDS; records PASS or
# FAIL and returns COMMAND's status. Run it as `step ... || true` or in an `if`.
step() {
    local name=$1 secs=$2
    shift 2
    say "[$name] $*"
    local start=$SECONDS rc=0
    # In the background so that `wait` (unlike a foreground child) lets the INT/TERM
    # traps run at once.
    timeout -k 30 "$secs" "$@" &
    _STEP_PID=$!
    wait "$_STEP_PID" || rc=$?
    _STEP_PID=
    local result=PASS
    if ((rc == 124 || rc == 137)); then
        result="FAIL (timed out after ${secs}s)"
    elif ((rc != 0)); then
        result="FAIL (exit $rc)"
    fi
    step_record "$name" "$result" $((SECONDS - start))
    if ((rc == 0)); then
        printf '%s==> [%s] passed%s\n' "$_c_green" "$name" "$_c_off" >&2
    else
        printf '%s==> [%s] %s%s\n' "$_c_red" "$name" "$result" "$_c_off" >&2
    fi
    return "$rc"
}

# step_skip NAME WHY: records a step that did not run, and says so loudly.
step_skip() {
    banner "[$1] NOT RUN: $2"
    step_record "$1" "NOT RUN: $2" 0
}

# steps_finish TITLE: prints the summary; exits 1 if any step failed, else 0.
steps_finish() {
    local i colour failed=0 not_run=0
    printf '\n%s%s: summary%s\n' "$_c_bold" "$1" "$_c_off" >&2
    for i in "${!_STEP_NAMES[@]}"; do
        case ${_STEP_RESULTS[i]} in
            PASS) colour=$_c_green ;;
            FAIL*) colour=$_c_red failed=$((failed + 1)) ;;
            *) colour=$_c_yellow not_run=$((not_run + 1)) ;;
        esac
        printf '  %-24s %s%-s%s  (%ss)\n' "${_STEP_NAMES[i]}" "$colour" "${_STEP_RESULTS[i]}" \
            "$_c_off" "${_STEP_SECS[i]}" >&2
    done
    if ((failed > 0)); then
        printf '%s%s: %s step(s) failed%s\n' "$_c_red" "$1" "$failed" "$_c_off" >&2
        exit 1
    fi
    if ((not_run > 0)); then
        printf '%s%s: nothing failed, but %s step(s) did NOT RUN (see above)%s\n' \
            "$_c_yellow" "$1" "$not_run" "$_c_off" >&2
    else
        printf '%s%s: all passed%s\n' "$_c_green" "$1" "$_c_off" >&2
    fi
    exit 0
}
