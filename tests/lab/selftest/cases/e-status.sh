# lab: topology=any kernels=iommufd timeout=20
echo "PASS: selftest: about to exit 3"
exit 3
