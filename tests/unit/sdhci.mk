# SD host driver (BCM283x Arasan SDHCI) against a model of the controller and card.
UNIT_TESTS += test_sdhci
test_sdhci_SRCS := tests/unit/test_sdhci.c drivers/sdhci.c drivers/blockdev.c tests/unit/fake_mmio.c \
	tests/unit/fake_systimer.c
