# lab: topology=any kernels=stock append="lab.selftest=panic" timeout=20
echo "PASS: selftest: panicking the kernel"
echo c > /proc/sysrq-trigger
sleep 30
