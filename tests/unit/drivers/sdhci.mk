# SD host driver (BCM283x Arasan SDHCI) against a model of the controller and card.
UNIT_TESTS += test_sdhci
test_sdhci_SRCS := tests/unit/drivers/test_sdhci.c drivers/sdhci.c drivers/blockdev.c tests/unit/fakes/fake_mmio.c \
	tests/unit/fakes/fake_systimer.c
