# iommu/: DMA mapping behind an ops table, one file per backend.
LIB_SRCS += $(sort $(wildcard iommu/*.c))
PUBLIC_HEADERS += iommu/passthru-iommu.h
