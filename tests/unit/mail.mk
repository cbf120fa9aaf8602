# Mail message building and header processing (firmware/mail*): addresses, MIME encodings, ssmtp's header rules,
# machine-made messages, the sendmail path. mail_decode.c is the tests' own independent decoder.
MAIL_TEST_DATA := -DMAIL_TEST_DATA='"$(CURDIR)/tests/data/mail"'

UNIT_TESTS += test_mail_addr
test_mail_addr_SRCS := tests/unit/test_mail_addr.c firmware/mail_addr.c firmware/mail.c

UNIT_TESTS += test_mail_mime
test_mail_mime_SRCS := tests/unit/test_mail_mime.c firmware/mail_mime.c lib/utf8.c firmware/mail.c \
	tests/unit/mail_decode.c

UNIT_TESTS += test_mail_header
test_mail_header_SRCS := tests/unit/test_mail_header.c firmware/mail_header.c firmware/mail.c $(CONFIG_PARSER_SRCS)

UNIT_TESTS += test_mail_compose
test_mail_compose_SRCS := tests/unit/test_mail_compose.c firmware/mail_compose.c firmware/mail_header.c \
	firmware/mail_mime.c lib/utf8.c firmware/mail_addr.c firmware/mail.c $(CONFIG_PARSER_SRCS) \
	tests/unit/mail_decode.c
test_mail_compose_CFLAGS := $(MAIL_TEST_DATA)

UNIT_TESTS += test_mail_submit
test_mail_submit_SRCS := tests/unit/test_mail_submit.c firmware/mail_submit.c firmware/mail_header.c \
	firmware/mail_mime.c lib/utf8.c firmware/mail_addr.c firmware/mail.c $(CONFIG_PARSER_SRCS) \
	tests/unit/mail_decode.c
test_mail_submit_CFLAGS := $(MAIL_TEST_DATA)

# The console's `test` and `sendmail` (firmware/mail_cmd) over the real mail modules, console and main loop pass,
# with the network, clock and SMTP transport faked in the test; and sendmail's message reader alone.
UNIT_TESTS += test_mail_cmd
test_mail_cmd_SRCS := tests/unit/test_mail_cmd.c lib/wake.c tests/unit/fake_deadlines.c firmware/mail_cmd.c \
	firmware/mail_input.c firmware/cmd_wait.c \
	firmware/main_loop.c firmware/console.c firmware/console_editor.c firmware/mail_compose.c \
	firmware/mail_submit.c firmware/mail_header.c firmware/mail_mime.c lib/utf8.c firmware/mail_addr.c \
	firmware/mail.c $(CONFIG_PARSER_SRCS) net/smtp.c net/smtp_reply.c net/smtp_auth.c tests/unit/hmac_md5_ref.c \
	$(LWIP_DIR)/core/ipv4/ip4_addr.c $(LWIP_DIR)/core/def.c net/sys_arch.c tests/unit/fake_board.c board/board_names.c tests/unit/fake_version.c \
	tests/unit/stdout_capture.c
test_mail_cmd_CFLAGS := $(NET_INCLUDES)

UNIT_TESTS += test_mail_input
test_mail_input_SRCS := tests/unit/test_mail_input.c firmware/mail_input.c
