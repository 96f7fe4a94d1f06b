# iommu/: DMA mapping behind an ops table, one file per backend.
LIB_SRCS += $(sort $(wildcard iommu/*.c))
