# lab: topology=any kernels=iommufd timeout=20
. "$LAB_LIB"
pass "selftest: runs after a hung case in the same boot"
lab_done
