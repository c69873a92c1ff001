#!/usr/bin/env bash
# Builds the hosted-runner .deb and .rpm and checks them end to end: lintian, the systemd unit
# (verify + exposure score), install, -validate/-version, a short run as the service user,
# conffile kept on reinstall, remove keeps state, purge removes it, and the RPM's file list and
# scriptlets.
#
# Run from anywhere, as root, on a Debian 12 machine that may be thrown away: it installs
# packages and installs/purges hosted-runner on this machine. systemd need not be running.
#   scripts/package-check.sh
# Environment: HR_MAX_EXPOSURE (default 3.0) fails the check when the unit's exposure score
# from "systemd-analyze security" is above it; JOBS (default nproc) for the build.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
max_exposure=${HR_MAX_EXPOSURE:-3.0}
jobs=${JOBS:-$(nproc)}
bdir=build-pkg
pkg=hosted-runner
unit_name=hosted-runner.service
export DEBIAN_FRONTEND=noninteractive

step() { echo; echo "=== $*"; }
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }
check() { # check "what" command...: runs the command (stdout dropped), fails with "what" if it fails
  local what=$1; shift
  if "$@" >/dev/null; then echo "ok: $what"; else fail "$what"; fi
}

[ "$(id -u)" -eq 0 ] || fail "run as root (it installs packages)"

step "tools"
scripts/deps.sh
need=(lintian rpm systemd dpkg-dev file man-db binutils)
missing=()
for p in "${need[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing: ${missing[*]}"
  # deps.sh may just have fetched the package lists; update only if the install needs it.
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  }
fi
echo "systemd $(systemd-analyze --version | head -1 | awk '{print $2}'), lintian $(lintian --version | awk '{print $2}'), rpm $(rpm --version | awk '{print $3}')"

step "configure + build ($bdir, Release, prefix /usr, -j$jobs)"
# Debian's hardening flags, as dh would pass them (-O2/-g dropped: Release sets -O3, CPack strips).
export DEB_BUILD_MAINT_OPTIONS=hardening=+all
export DEB_CFLAGS_MAINT_STRIP="-g -O2" DEB_CXXFLAGS_MAINT_STRIP="-g -O2"
cppflags=$(dpkg-buildflags --get CPPFLAGS)
cflags="$cppflags $(dpkg-buildflags --get CFLAGS)"
cxxflags="$cppflags $(dpkg-buildflags --get CXXFLAGS)"
ldflags=$(dpkg-buildflags --get LDFLAGS)
cmake -S . -B "$bdir" -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr -DHR_BUILD_TESTS=OFF \
  -DCMAKE_C_FLAGS="$cflags" -DCMAKE_CXX_FLAGS="$cxxflags" \
  -DCMAKE_EXE_LINKER_FLAGS="$ldflags" -DCMAKE_SHARED_LINKER_FLAGS="$ldflags" \
  -DCMAKE_MODULE_LINKER_FLAGS="$ldflags" \
  -DCMAKE_SKIP_INSTALL_ALL_DEPENDENCY=ON >/dev/null
# Only what the packages hold (the Mimecast simulator is a test tool). A plugin added later and
# missing here makes cpack fail on its install rule, so it cannot be left out silently.
targets=(hosted_runner tester mimecast hr_package_docs)
cmake --build "$bdir" -j"$jobs" --target "${targets[@]}" >"$bdir/build.log" 2>&1 ||
  { tail -50 "$bdir/build.log"; fail "build"; }
echo "built: ${targets[*]} ($(( $(date +%s) - start )) s so far)"

step "cpack DEB + RPM"
rm -f "$bdir"/*.deb "$bdir"/*.rpm
(cd "$bdir" && cpack -G DEB >cpack-deb.log 2>&1) || { cat "$bdir/cpack-deb.log"; fail "cpack -G DEB"; }
(cd "$bdir" && cpack -G RPM >cpack-rpm.log 2>&1) || { cat "$bdir/cpack-rpm.log"; fail "cpack -G RPM"; }
deb=$(ls "$bdir"/${pkg}_*.deb)
rpmf=$(ls "$bdir"/${pkg}-*.rpm)
ls -l "$deb" "$rpmf"
dpkg-deb -f "$deb" Package Version Architecture Depends

step "lintian (fails on errors; warnings are listed)"
lint_out=$(lintian --fail-on error --info "$deb" 2>&1) && lint_rc=0 || lint_rc=$?
lint_out=$(grep -v "running with root privileges" <<<"$lint_out" || true)
if [ -n "$lint_out" ]; then echo "$lint_out"; else echo "(no tags)"; fi
[ "$lint_rc" -eq 0 ] || fail "lintian found errors"
echo "ok: lintian: $(grep -c '^E:' <<<"$lint_out" || true) errors, $(grep -c '^W:' <<<"$lint_out" || true) warnings"

step "systemd unit: security (offline)"
unit_src=packaging/systemd/$unit_name
sec_out=$(systemd-analyze security --offline=true --no-pager "$unit_src" 2>&1) || true
score=$(sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p' <<<"$sec_out")
[ -n "$score" ] || { echo "$sec_out"; fail "no exposure score from systemd-analyze security"; }
grep '✗' <<<"$sec_out" || true
echo "exposure score: $score (limit $max_exposure)"
check "exposure $score <= $max_exposure" awk -v s="$score" -v m="$max_exposure" 'BEGIN { exit !(s <= m) }'

step "install the .deb (no systemd running: maintainer scripts must cope)"
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed\|config-files"; then
  echo "purging an earlier $pkg first"
  apt-get purge -y -qq "$pkg" >/dev/null
fi
apt-get install -y -qq "./$deb" >/dev/null
dpkg-query -W -f='${Package} ${Version} ${Status}\n' "$pkg"
check "user hosted-runner exists" getent passwd hosted-runner
check "group hosted-runner exists" getent group hosted-runner
check "hosted_runner in /usr/bin" test -x /usr/bin/hosted_runner
# The compiled-in plugin directory (printed by --help) must be where the package put the plugins.
plugin_dir=$(hosted_runner --help | grep -o '/usr/lib[^ )]*/hosted-runner/plugins' | head -1)
echo "compiled-in plugin dir: $plugin_dir"
check "plugin dir $plugin_dir is the packaged one" dpkg -S "$plugin_dir"
check "tester.so installed" test -f "$plugin_dir/tester.so"
check "mimecast.so installed" test -f "$plugin_dir/mimecast.so"
check "unit in /lib/systemd/system" test -f /lib/systemd/system/$unit_name
check "man page" test -f /usr/share/man/man1/hosted_runner.1.gz
check "copyright" test -f /usr/share/doc/$pkg/copyright
check "changelog.gz" test -f /usr/share/doc/$pkg/changelog.gz
check "conffile registered" grep -qx /etc/hosted-runner/hosted_runner.conf /var/lib/dpkg/info/$pkg.conffiles
check "overlay dir" test -d /etc/hosted-runner/hosted_runner.conf.d
check "config is root:hosted-runner 0640" test "$(stat -c '%U:%G %a' /etc/hosted-runner/hosted_runner.conf)" = "root:hosted-runner 640"
for d in /var/lib/$pkg /var/log/$pkg /var/cache/$pkg; do
  check "$d owned by hosted-runner, 0750" test "$(stat -c '%U:%G %a' "$d")" = "hosted-runner:hosted-runner 750"
done
check "service enabled (deb-systemd-helper)" test -L /etc/systemd/system/multi-user.target.wants/$unit_name

step "the installed program"
version=$(hosted_runner -version)
echo "$version"
want_version=$(dpkg-query -W -f='${Version}' "$pkg")
check "-version says $want_version" grep -q " $want_version " <<<"$version "
hosted_runner -validate || fail "-validate (as root, default config) exited $?"
echo "ok: -validate as root"
runuser -u hosted-runner -- hosted_runner -validate || fail "-validate as hosted-runner exited $?"
echo "ok: -validate as hosted-runner"
check "systemd-analyze verify" systemd-analyze verify /lib/systemd/system/$unit_name

step "a short run as the service user (Tester stanza from an overlay, SIGHUP, SIGTERM)"
overlay=/etc/hosted-runner/hosted_runner.conf.d/zz-package-check.conf
printf '[Tester "package-check"]\n\tInterval=100ms\n' >"$overlay"
runuser -u hosted-runner -- hosted_runner -validate >/dev/null || fail "-validate with a Tester overlay"
(cd /var/lib/$pkg && exec runuser -u hosted-runner -- hosted_runner) >"$bdir/run.log" 2>&1 &
runner=$!
sleep 2
pid=$(pgrep -u hosted-runner -x hosted_runner || true)
[ -n "$pid" ] || { cat "$bdir/run.log"; fail "hosted_runner did not keep running"; }
kill -HUP "$pid"
sleep 1
t0=$(date +%s%N)
kill -TERM "$pid"
rc=0
wait "$runner" || rc=$?
stop_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
rm -f "$overlay"
grep -E "reload|stopped cleanly" "$bdir/run.log" || true
[ "$rc" -eq 0 ] || { cat "$bdir/run.log"; fail "hosted_runner exited $rc after SIGTERM"; }
echo "ok: clean stop in $stop_ms ms"
entries=$(wc -l </var/log/$pkg/entries.json)
check "entries written to /var/log/$pkg/entries.json ($entries lines)" test "$entries" -gt 0
check "state file in /var/lib/$pkg" test -f /var/lib/$pkg/state.db

step "reinstall keeps a locally changed conffile"
echo "# package-check local edit" >>/etc/hosted-runner/hosted_runner.conf
dpkg -i "$deb" >/dev/null
check "local edit kept" grep -q "package-check local edit" /etc/hosted-runner/hosted_runner.conf
check "config still root:hosted-runner 0640" test "$(stat -c '%U:%G %a' /etc/hosted-runner/hosted_runner.conf)" = "root:hosted-runner 640"

step "remove keeps config and state; purge removes them"
apt-get remove -y -qq "$pkg" >/dev/null
check "binary gone after remove" test ! -e /usr/bin/hosted_runner
check "config kept after remove" test -f /etc/hosted-runner/hosted_runner.conf
check "state kept after remove" test -f /var/lib/$pkg/state.db
apt-get purge -y -qq "$pkg" >/dev/null
for p in /etc/hosted-runner /var/lib/$pkg /var/log/$pkg /var/cache/$pkg "$plugin_dir" \
         /lib/systemd/system/$unit_name /usr/share/man/man1/hosted_runner.1.gz /usr/share/doc/$pkg \
         /etc/systemd/system/multi-user.target.wants/$unit_name; do
  check "gone after purge: $p" test ! -e "$p"
done
check "no statoverride left" bash -c "! dpkg-statoverride --list | grep -q hosted-runner"
check "package gone from dpkg" bash -c "! dpkg-query -W -f='\${Status}' $pkg 2>/dev/null | grep -q ."

step "RPM: file list and scriptlets"
rpm -qip "$rpmf" 2>/dev/null | grep -E '^(Name|Version|Release|Architecture|License)'
files=$(rpm -qlp "$rpmf" 2>/dev/null)
for p in /usr/bin/hosted_runner "$plugin_dir/tester.so" "$plugin_dir/mimecast.so" \
         /etc/hosted-runner/hosted_runner.conf /etc/hosted-runner/hosted_runner.conf.d \
         /usr/lib/systemd/system/$unit_name /usr/share/man/man1/hosted_runner.1.gz \
         /usr/share/doc/$pkg/copyright /var/lib/$pkg /var/log/$pkg /var/cache/$pkg; do
  check "rpm holds $p" grep -qx "$p" <<<"$files"
done
check "rpm has no /lib/systemd (units go to /usr/lib)" bash -c "! grep -q '^/lib/' <<<\"\$1\"" _ "$files"
check "rpm: config is %config(noreplace)" grep -qx /etc/hosted-runner/hosted_runner.conf <<<"$(rpm -qp --configfiles "$rpmf" 2>/dev/null)"
check "rpm: only the config is %config" test "$(rpm -qp --configfiles "$rpmf" 2>/dev/null | wc -l)" -eq 1
check "rpm: state dir owned by hosted-runner" grep -q "^drwxr-x---.*hosted-r.*hosted-r.* /var/lib/$pkg\$" <<<"$(rpm -qlvp "$rpmf" 2>/dev/null)"
scripts=$(rpm -qp --scripts "$rpmf" 2>/dev/null)
check "rpm %pre creates the user" grep -q "useradd -r .*hosted-runner" <<<"$scripts"
check "rpm %post presets the unit" grep -q "systemctl --no-reload preset $unit_name" <<<"$scripts"
check "rpm %preun disables on erase" grep -q "disable --now $unit_name" <<<"$scripts"
check "rpm %postun restarts on upgrade" grep -q "try-restart $unit_name" <<<"$scripts"
rpm -qpR "$rpmf" 2>/dev/null | grep -E 'libcurl|libinih|libz|libcrypto|libssl|shadow' | tr '\n' ' '; echo

echo
echo "package-check: OK in $(( $(date +%s) - start )) s: $(basename "$deb"), $(basename "$rpmf"), exposure $score"
