# Mail message building and header processing (firmware/mail*): addresses, MIME encodings, ssmtp's header rules,
# machine-made messages, the sendmail path. mail_decode.c is the tests' own independent decoder.
MAIL_TEST_DATA := -DMAIL_TEST_DATA='"$(CURDIR)/tests/data/mail"'

UNIT_TESTS += test_mail_addr
test_mail_addr_SRCS := tests/unit/test_mail_addr.c firmware/mail_addr.c firmware/mail.c

UNIT_TESTS += test_mail_mime
test_mail_mime_SRCS := tests/unit/test_mail_mime.c firmware/mail_mime.c firmware/mail.c tests/unit/mail_decode.c

UNIT_TESTS += test_mail_header
test_mail_header_SRCS := tests/unit/test_mail_header.c firmware/mail_header.c firmware/mail.c config/config.c

UNIT_TESTS += test_mail_compose
test_mail_compose_SRCS := tests/unit/test_mail_compose.c firmware/mail_compose.c firmware/mail_header.c \
	firmware/mail_mime.c firmware/mail_addr.c firmware/mail.c config/config.c tests/unit/mail_decode.c
test_mail_compose_CFLAGS := $(MAIL_TEST_DATA)

UNIT_TESTS += test_mail_submit
test_mail_submit_SRCS := tests/unit/test_mail_submit.c firmware/mail_submit.c firmware/mail_header.c \
	firmware/mail_mime.c firmware/mail_addr.c firmware/mail.c config/config.c tests/unit/mail_decode.c
test_mail_submit_CFLAGS := $(MAIL_TEST_DATA)
