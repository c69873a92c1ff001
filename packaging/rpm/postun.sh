# %postun: like %systemd_postun_with_restart. $1 = 0 after an erase, 1 after an upgrade.
# State in /var/lib/hosted-runner, logs and the user are kept on erase (RPM has no purge).
if [ -d /run/systemd/system ]; then
	systemctl daemon-reload >/dev/null 2>&1 || :
	if [ "$1" -ge 1 ]; then
		systemctl try-restart hosted-runner.service >/dev/null 2>&1 || :
	fi
fi
exit 0
