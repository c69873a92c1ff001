# %pre: the service user, before the files (owned by it) are unpacked.
getent group hosted-runner >/dev/null || groupadd -r hosted-runner
getent passwd hosted-runner >/dev/null || \
	useradd -r -g hosted-runner -d /var/lib/hosted-runner -s /sbin/nologin \
		-c "Hosted Runner service" hosted-runner
exit 0
