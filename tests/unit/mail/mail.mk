# Mail message building and header processing (mail/): addresses, MIME encodings, ssmtp's header rules,
# machine-made messages, the sendmail path. mail_decode.c is the tests' own independent decoder.
MAIL_TEST_DATA := -DMAIL_TEST_DATA='"$(CURDIR)/tests/data/mail"'

UNIT_TESTS += test_mail_addr
test_mail_addr_SRCS := tests/unit/mail/test_mail_addr.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS)

UNIT_TESTS += test_mail_mime
test_mail_mime_SRCS := tests/unit/mail/test_mail_mime.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS) \
	tests/unit/mail/mail_decode.c

UNIT_TESTS += test_mail_header
test_mail_header_SRCS := tests/unit/mail/test_mail_header.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS)

UNIT_TESTS += test_mail_compose
test_mail_compose_SRCS := tests/unit/mail/test_mail_compose.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS) \
	tests/unit/mail/mail_decode.c
test_mail_compose_CFLAGS := $(MAIL_TEST_DATA)

UNIT_TESTS += test_mail_submit
test_mail_submit_SRCS := tests/unit/mail/test_mail_submit.c $(MAIL_SRCS) $(CONFIG_PARSER_SRCS) $(LIB_SRCS) \
	tests/unit/mail/mail_decode.c
test_mail_submit_CFLAGS := $(MAIL_TEST_DATA)

# sendmail's message reader alone.
UNIT_TESTS += test_mail_input
test_mail_input_SRCS := tests/unit/mail/test_mail_input.c mail/mail_input.c
