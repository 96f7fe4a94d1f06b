# lab: topology=any kernels=iommufd timeout=3
echo "PASS: selftest: hang case started"
sleep 1000
