# %preun: like %systemd_preun. $1 = 0 when the package is erased, 1 on an upgrade.
if [ "$1" -eq 0 ] && command -v systemctl >/dev/null 2>&1; then
	systemctl --no-reload disable --now hosted-runner.service >/dev/null 2>&1 || :
fi
exit 0
