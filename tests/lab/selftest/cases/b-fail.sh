# lab: topology=any kernels=iommufd timeout=20
. "$LAB_LIB"
expect_eq "selftest: a wrong expectation" 3 $((1 + 1))
lab_done
