# Real mail servers for the integration tests (issue 5). Included from the top Makefile; tests/tests.mk owns the
# test-integration recipe, this fragment adds what it needs first and the benchmark.
#
#   make test-integration   also runs tests/integration/setup-mta (once)
#   make test-qemu          the same (tests/qemu/test_mail_e2e.py submits to a TestMTA)
#   make bench-submit       bench/submit: round trips, bytes and client instructions per message (as root)
#   make bench-alert        bench/alert-latency: from an input's edge to the server's 250, native and QEMU
#
# tests/integration/setup-mta installs Postfix, Dovecot, msmtp, valgrind and aiosmtpd without leaving a server running
# and unpacks Debian's ssmtp 2.64 into build/mta (it conflicts with postfix, so it is not installed); the tests
# start and stop private instances through tests/integration/mta.py.

MTA_SETUP_STAMP := build/mta/.setup-done

$(MTA_SETUP_STAMP): tests/integration/setup-mta | $(SETUP_STAMP)
	tests/integration/setup-mta
	@mkdir -p $(@D) && touch $@

.PHONY: test-integration test-qemu bench-submit bench-alert
test-integration test-qemu: | $(MTA_SETUP_STAMP)

bench-submit: | $(MTA_SETUP_STAMP)
	$(MAKE) --no-print-directory BOARD=native all
	bench/submit

bench-alert: | $(MTA_SETUP_STAMP)
	$(MAKE) --no-print-directory BOARD=native all
	$(MAKE) --no-print-directory all-boards
	bench/alert-latency
