# board/journal_area: the journal partition found on the card by its type, on a file-backed disk.
UNIT_TESTS += test_journal_area
test_journal_area_SRCS := tests/unit/board/test_journal_area.c tests/unit/fakes/crash_disk.c board/journal_area.c \
	$(DISK_SRCS) tests/unit/fakes/stdout_capture.c
