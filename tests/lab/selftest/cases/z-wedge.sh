# lab: topology=any kernels=iommufd append="lab.selftest=wedge" timeout=200
echo "PASS: selftest: wedged boot started"
sleep 1000
