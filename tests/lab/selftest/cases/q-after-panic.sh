# lab: topology=any kernels=stock append="lab.selftest=panic" timeout=20
# Runs after p-panic killed the kernel: the harness must give it a fresh boot.
. "$LAB_LIB"
expect_eq "selftest: runs in a fresh boot after the panic (guest uptime < 30 s)" yes \
	"$(awk '{ print ($1 < 30) ? "yes" : "no" }' /proc/uptime)"
lab_done
