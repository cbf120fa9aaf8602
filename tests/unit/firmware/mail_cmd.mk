# The console's `test` and `sendmail` (firmware/mail_cmd) over the real mail modules, console and main loop pass,
# with the network, clock and SMTP transport faked in the test.
UNIT_TESTS += test_mail_cmd
test_mail_cmd_SRCS := tests/unit/firmware/test_mail_cmd.c firmware/mail_cmd.c mail/mail_input.c firmware/cmd_wait.c \
	firmware/main_loop.c firmware/console.c firmware/console_editor.c mail/mail_compose.c \
	mail/mail_submit.c mail/mail_header.c mail/mail_mime.c lib/utf8.c mail/mail_addr.c \
	mail/mail.c $(CONFIG_PARSER_SRCS) net/smtp.c net/smtp_reply.c net/smtp_auth.c tests/unit/fakes/hmac_md5_ref.c \
	$(LWIP_DIR)/core/ipv4/ip4_addr.c $(LWIP_DIR)/core/def.c net/sys_arch.c tests/unit/fakes/fake_board.c board/board_names.c tests/unit/fakes/fake_version.c \
	tests/unit/fakes/stdout_capture.c
test_mail_cmd_CFLAGS := $(NET_INCLUDES)
