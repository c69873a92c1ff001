# %post: like %systemd_post. $1 = 1 on a first install, 2 on an upgrade.
if [ "$1" -eq 1 ] && command -v systemctl >/dev/null 2>&1; then
	# Enabled only if the system's presets say so (Fedora/RHEL practice).
	systemctl --no-reload preset hosted-runner.service >/dev/null 2>&1 || :
fi
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
fi
exit 0
