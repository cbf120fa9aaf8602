# net/smtp_client (the SMTP transport's connection states) over tests/unit/fakes/fake_transport (altcp connections, TLS
# layer and DNS faked at their interfaces; lwIP's pbufs carry the server's bytes, MEM_LIBC_MALLOC: ASan sees them).
FUZZ_TARGETS += fuzz_smtp_client
fuzz_smtp_client_SRCS := tests/fuzz/fuzz_smtp_client.c tests/unit/fakes/fake_transport.c net/smtp_client.c \
	net/net_strerror.c $(SMTP_SRCS) firmware/net_settings.c $(CONFIG_PARSER_SRCS) $(NET_SYS_SRCS) $(FAKE_BOARD_SRCS) \
	$(addprefix $(LWIP_DIR)/core/,altcp.c pbuf.c mem.c memp.c def.c stats.c ipv4/ip4_addr.c)
fuzz_smtp_client_CFLAGS := -Itests/unit/fakes $(NET_INCLUDES)
