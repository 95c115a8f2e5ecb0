# Helpers shared by scripts/run, scripts/test and .ci/run. Source it; don't run it.
# shellcheck shell=bash

# The repository root, whatever the caller's working directory.
SB_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

if [[ -t 2 ]]; then
    _c_bold=$'\e[1m' _c_red=$'\e[31m' _c_yellow=$'\e[33m' _c_green=$'\e[32m' _c_off=$'\e[0m'
else
    _c_bold='' _c_red='' _c_yellow='' _c_green='' _c_off=''
fi

say() { printf '%s==> %s%s\n' "$_c_bold" "$*" "$_c_off" >&2; }
warn() { printf '%sWARNING: %s%s\n' "$_c_yellow" "$*" "$_c_off" >&2; }
die() {
    printf '%sERROR: %s%s\n' "$_c_red" "$*" "$_c_off" >&2
    exit 1
}

# A notice nobody scrolling past can miss.
banner() {
    local line='!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!'
    printf '%s%s\n' "$_c_yellow" "$line" >&2
    printf '!!! %s\n' "$@" >&2
    printf '%s%s\n' "$line" "$_c_off" >&2
}

# Runs a command as root: directly when we are root, else through sudo.
as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "need root to run: $* (no sudo here); run it yourself as root and retry"
    fi
}

# apt_install PACKAGE...: installs Debian packages; `apt-get update` runs at most once
# per script run, and only when something is actually missing.
_SB_APT_UPDATED=
apt_install() {
    (($#)) || return 0
    command -v apt-get >/dev/null ||
        die "not a Debian-like system (no apt-get); install these yourself: $*"
    say "installing with apt: $*"
    if [[ -z $_SB_APT_UPDATED ]]; then
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
        _SB_APT_UPDATED=1
    fi
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "$@"
}

# Where cargo puts its output (honours CARGO_TARGET_DIR), as an absolute path.
cargo_target_dir() {
    local dir=${CARGO_TARGET_DIR:-target}
    [[ $dir == /* ]] || dir=$SB_ROOT/$dir
    printf '%s\n' "$dir"
}

require_cargo() {
    command -v cargo >/dev/null ||
        die "cargo not found: install Rust (https://rustup.rs) and make sure ~/.cargo/bin is on PATH"
}

require_node() {
    { command -v node >/dev/null && command -v npm >/dev/null; } ||
        die "node/npm not found: install Node.js 20 or newer with npm (the web app needs it)"
}
