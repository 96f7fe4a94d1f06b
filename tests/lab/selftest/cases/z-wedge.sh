# lab: topology=any kernels=iommufd append="lab.selftest=wedge" timeout=5
# Stands for a VM that stops responding: kills its own in-guest watchdog,
# then never ends, so only the host-side deadline can stop it.
echo "PASS: selftest: wedged case started"
for p in $(ps -o pid,args | grep '[s]leep 5; kill' | awk '{ print $1 }'); do kill -9 $p; done
while :; do :; done
