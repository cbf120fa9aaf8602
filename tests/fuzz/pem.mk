FUZZ_TARGETS += fuzz_pem
fuzz_pem_SRCS := tests/fuzz/fuzz_pem.c config/pem.c
