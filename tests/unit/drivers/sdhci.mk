# SD host driver (BCM283x Arasan SDHCI) against a model of the controller and card.
UNIT_TESTS += test_sdhci
test_sdhci_SRCS := tests/unit/drivers/test_sdhci.c drivers/sdhci.c $(DISK_SRCS) $(FAKE_HW_SRCS)
