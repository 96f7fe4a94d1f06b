# lab: topology=any kernels=iommufd timeout=20
. "$LAB_LIB"
expect_eq "selftest: one plus one" 2 $((1 + 1))
lab_done
