#!/usr/bin/env bash
# The Debian package, installed for real: tests/package/deb_test.sh BUILD_DIR SOURCE_DIR
#
# Makes the .deb from BUILD_DIR's CPack configuration (or takes SLUICE_DEB=path.deb), installs
# it with dpkg -i, checks its files, its conffile and the system user; runs the INSTALLED binary
# with the INSTALLED config and data directory as sluice.service would (the unit's ExecStart,
# as user sluice, no new privileges, no capabilities, umask 0027, from /), reaches /healthz,
# stops it with SIGTERM as systemd does and expects a clean exit; runs `systemd-analyze verify`
# on the installed unit where it exists; then dpkg -r and dpkg --purge and checks what each
# leaves. Needs root and dpkg, else it exits 77 (ctest's SKIP). It changes the machine while it
# runs (package, user sluice, /var/lib/sluice) and undoes it: safe to run twice, and it refuses
# (SKIP) a machine where sluice, or a user sluice, was there before it and not left by it.
# SLUICE_TEST_NO_DPKG=1 skips it.
set -euo pipefail

build=${1:?usage: deb_test.sh BUILD_DIR SOURCE_DIR}
source_dir=${2:?usage: deb_test.sh BUILD_DIR SOURCE_DIR}
skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; exit 1; }

[[ -n "${SLUICE_TEST_NO_DPKG:-}" ]] && skip "SLUICE_TEST_NO_DPKG is set"
[[ $(id -u) -eq 0 ]] || skip "needs root (dpkg -i, a system user)"
for tool in dpkg dpkg-deb dpkg-query cpack setpriv curl; do
  command -v "$tool" >/dev/null || skip "$tool is missing"
done

# One run at a time on a machine (other worktrees, CI): the package and its user are global.
exec 9>/run/lock/sluice-deb-test.lock
flock -w 300 9 || fail "another deb_test.sh held /run/lock/sluice-deb-test.lock for 5 minutes"

# Written before the first dpkg -i, removed after the purge: a package or user found with it
# was left by an interrupted run of this test, and is purged; found without it, it is someone's.
marker=/var/lib/sluice-deb-test.marker
installed() { dpkg-query -W -f='${db:Status-Status}' sluice 2>/dev/null | grep -qvx 'not-installed'; }
# dpkg fails at once when apt or dpkg holds its lock: wait for it (2 minutes at most).
run_dpkg() {
  local out
  for _ in $(seq 60); do
    if out=$(dpkg "$@" 2>&1); then echo "$out"; return 0; fi
    grep -q 'lock' <<<"$out" || { echo "$out" >&2; return 1; }
    sleep 2
  done
  echo "$out" >&2
  return 1
}
if [[ -e $marker ]]; then
  echo "purging what an interrupted run left"
  # The marker names the server that run started, if any: stopped first (its user goes next).
  old_pid=$(cat "$marker")
  if [[ -n $old_pid ]] && [[ $(readlink "/proc/$old_pid/exe" 2>/dev/null) == /usr/bin/sluice* ]]; then
    kill -KILL "$old_pid" 2>/dev/null || true
    for _ in $(seq 50); do [[ -e /proc/$old_pid ]] || break; sleep 0.1; done
  fi
  run_dpkg --purge sluice >/dev/null
elif installed || getent passwd sluice >/dev/null || getent group sluice >/dev/null; then
  skip "a sluice package or a user or group sluice is on this machine, not left by this test"
fi

work=$(mktemp -d /tmp/sluice-deb-test.XXXXXX)
server_pid=
cleanup() {
  local status=$?
  if [[ -n $server_pid ]] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  if [[ -e $marker ]]; then run_dpkg --purge sluice >/dev/null || status=1; rm -f "$marker"; fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT

# --- the package
if [[ -n "${SLUICE_DEB:-}" ]]; then
  deb=$SLUICE_DEB
else
  for f in "$build/src/sluice" "$build/packaging/sluice.1.gz" "$build/packaging/changelog.gz"; do
    [[ -e $f ]] || fail "$f is missing: build the targets sluice, sluice_manpage and sluice_package_changelog first"
  done
  # gzip rather than the package's xz: the same contents, made in a few seconds.
  cpack --config "$build/CPackConfig.cmake" -G DEB -B "$work/cpack" -D CPACK_DEBIAN_COMPRESSION_TYPE=gzip \
    >"$work/cpack.log" 2>&1 || { cat "$work/cpack.log"; fail "cpack failed"; }
  deb=$(ls "$work"/cpack/sluice_*.deb)
fi
echo "package: $deb"
version=$(dpkg-deb -f "$deb" Version)
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/contents"
for path in /usr/bin/sluice /usr/share/man/man1/sluice.1.gz /usr/share/doc/sluice/changelog.gz \
            /lib/systemd/system/sluice.service /etc/sluice/sluice.toml; do
  grep -qx "$path" "$work/contents" || fail "the package has no $path"
done
if [[ -e $source_dir/web/dist/index.html && -z "${SLUICE_DEB:-}" ]]; then
  grep -qx /usr/share/sluice/web/index.html "$work/contents" || fail "web/dist exists but the package has no /usr/share/sluice/web/index.html"
fi
dpkg-deb -f "$deb" Depends | grep -q 'libsqlite3-0' || fail "Depends lacks the shared libraries (dpkg-shlibdeps): $(dpkg-deb -f "$deb" Depends)"
dpkg-deb -f "$deb" Depends | grep -q 'adduser' || fail "Depends lacks adduser"

# --- dpkg -i
touch "$marker"
run_dpkg -i "$deb" >/dev/null
installed || fail "dpkg -i left sluice not installed"
[[ $(/usr/bin/sluice --version) == "sluice $version" ]] || fail "sluice --version says '$(/usr/bin/sluice --version)', the package $version"
zcat /usr/share/man/man1/sluice.1.gz | grep -q '^\.TH SLUICE 1 .*"sluice '"$version"'"' || fail "the man page is not sluice(1) $version"
zcat /usr/share/man/man1/sluice.1.gz | grep -q '^\.SS "sluice ledger verify"' || fail "the man page lacks the nested subcommands"
dpkg-query -W -f='${Conffiles}\n' sluice | grep -q '^ /etc/sluice/sluice.toml ' || fail "/etc/sluice/sluice.toml is not a conffile"
[[ $(stat -c '%U:%G %a' /etc/sluice/sluice.toml) == "root:sluice 640" ]] || fail "/etc/sluice/sluice.toml is $(stat -c '%U:%G %a' /etc/sluice/sluice.toml)"
IFS=: read -r _ _ uid gid _ home shell <<<"$(getent passwd sluice)" || fail "no user sluice"
[[ $uid -lt 1000 ]] || fail "user sluice is not a system user (uid $uid)"
[[ $(getent group sluice | cut -d: -f3) == "$gid" ]] || fail "user sluice's group is not sluice"
[[ $home == /var/lib/sluice ]] || fail "user sluice's home is $home"
[[ $shell == */nologin || $shell == /bin/false ]] || fail "user sluice has a login shell ($shell)"
[[ $(stat -c '%U:%G %a' /var/lib/sluice) == "sluice:sluice 750" ]] || fail "/var/lib/sluice is $(stat -c '%U:%G %a' /var/lib/sluice)"
if grep -qx /usr/share/sluice/web/index.html "$work/contents"; then
  runuser -u sluice -- test -r /usr/share/sluice/web/index.html || fail "user sluice cannot read the portal's files"
fi

# --- the installed binary with the installed config, as the unit runs it
unit=/lib/systemd/system/sluice.service
exec_start=$(sed -n 's/^ExecStart=//p' "$unit")
[[ $exec_start == "/usr/bin/sluice serve --config /etc/sluice/sluice.toml --data /var/lib/sluice" ]] \
  || fail "the unit's ExecStart is '$exec_start'"
[[ $(sed -n 's/^User=//p' "$unit") == sluice ]] || fail "the unit does not run as user sluice"
read -ra command <<<"$exec_start"
# The conffile's address, unless something listens there already: then a port of the kernel's.
listen=$(sed -n 's/^listen = "\([^"]*\)".*/\1/p' /etc/sluice/sluice.toml)
[[ $listen == 127.0.0.1:8080 ]] || fail "the conffile listens on '$listen', not 127.0.0.1:8080"
if (exec 3<>"/dev/tcp/${listen%:*}/${listen##*:}") 2>/dev/null; then
  echo "$listen is in use here: --listen 127.0.0.1:0 instead"
  command+=(--listen 127.0.0.1:0)
fi
(
  exec 9>&-  # the lock is this run's, not the server's: a server outliving a killed run holds none
  cd /
  umask 0027
  exec env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    setpriv --reuid=sluice --regid=sluice --init-groups --no-new-privs --inh-caps=-all --bounding-set=-all \
    "${command[@]}"
) >"$work/server.out" 2>"$work/server.err" &
server_pid=$!
echo "$server_pid" >"$marker"
base=
for _ in $(seq 300); do
  base=$(sed -n 's/^sluice listening on //p' "$work/server.out")
  [[ -n $base ]] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.err" >&2; fail "the installed server exited at start"; }
  sleep 0.1
done
[[ -n $base ]] || { cat "$work/server.err" >&2; fail "the installed server did not listen within 30 s"; }
echo "installed server: $base"
health=$(curl -s -o "$work/health.body" -w '%{http_code}' "$base/healthz") || fail "GET $base/healthz failed"
[[ $health == 200 ]] || fail "GET /healthz answered $health: $(cat "$work/health.body")"
[[ $(stat -c %U /proc/$server_pid) == sluice ]] || fail "the server does not run as sluice"
grep -q '^NoNewPrivs:[[:space:]]*1' /proc/$server_pid/status || fail "the server may gain privileges"
grep -q '^CapBnd:[[:space:]]*0000000000000000' /proc/$server_pid/status || fail "the server has a capability bounding set"
kill -TERM "$server_pid"
for _ in $(seq 300); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$server_pid" 2>/dev/null && fail "the server did not stop within 30 s of SIGTERM"
status=0
wait "$server_pid" || status=$?
server_pid=
[[ $status -eq 0 ]] || { cat "$work/server.err" >&2; fail "the server exited $status on SIGTERM"; }
grep -q '"msg":"stopped"' "$work/server.err" || fail "the server did not log its clean stop"
# What it made is the service user's, and nobody else's to read.
[[ -d /var/lib/sluice/ledger ]] || fail "the server made no ledger in /var/lib/sluice"
others=$(find /var/lib/sluice ! -user sluice -o -perm /o=rwx)
[[ -z $others ]] || fail "in /var/lib/sluice, not the user's own or open to others: $others"
# The operator's commands, as the service's user, on its data.
runuser -u sluice -- /usr/bin/sluice ledger verify --data /var/lib/sluice >"$work/verify.out" 2>&1 \
  || { cat "$work/verify.out" >&2; fail "sluice ledger verify on the service's data failed"; }

# --- the unit, checked by systemd
if command -v systemd-analyze >/dev/null; then
  # verify loads the unit as systemd would, without a running systemd: it checks the
  # directives, that ExecStart's binary exists and, where man is installed, the man page.
  man_check=no
  command -v man >/dev/null && man_check=yes
  systemd-analyze verify --man="$man_check" "$unit" >"$work/verify-unit.out" 2>&1 \
    || { cat "$work/verify-unit.out" >&2; fail "systemd-analyze verify $unit failed"; }
  if grep -q 'sluice' "$work/verify-unit.out"; then cat "$work/verify-unit.out" >&2; fail "systemd-analyze verify warned about the unit"; fi
  echo "systemd-analyze verify: ok (man page checked: $man_check)"
  if systemd-analyze security --help 2>/dev/null | grep -q -- --offline; then
    systemd-analyze security --offline=yes --threshold=20 "$unit" >"$work/security.out" 2>&1 \
      || { cat "$work/security.out" >&2; fail "systemd-analyze security rates the unit's exposure above 2.0"; }
    tail -1 "$work/security.out"
  fi
else
  echo "systemd-analyze is missing: the unit is not verified"
fi

# --- dpkg -r: the program goes; the config, the data and the user stay
run_dpkg -r sluice >/dev/null
[[ ! -e /usr/bin/sluice && ! -e $unit ]] || fail "dpkg -r left the binary or the unit"
[[ -e /etc/sluice/sluice.toml ]] || fail "dpkg -r removed the conffile"
[[ -d /var/lib/sluice/ledger ]] || fail "dpkg -r removed the data"
getent passwd sluice >/dev/null || fail "dpkg -r removed the user"

# --- dpkg --purge: nothing of it left
run_dpkg --purge sluice >/dev/null
rm -f "$marker"
installed && fail "dpkg --purge left sluice installed"
[[ ! -e /etc/sluice && ! -e /var/lib/sluice ]] || fail "dpkg --purge left /etc/sluice or /var/lib/sluice"
getent passwd sluice >/dev/null && fail "dpkg --purge left the user sluice"
getent group sluice >/dev/null && fail "dpkg --purge left the group sluice"
echo "deb_test: sluice $version installed, served /healthz as user sluice, stopped cleanly, removed and purged"
