# lab: topology=any kernels=iommufd timeout=20
true
