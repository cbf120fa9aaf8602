/* The identity strings the Makefile generates into build/<board>/version.c, fixed for host tests. */
#include "firmware/version.h"

const char baremail_version[] = "v9.8.7-test";
const char baremail_build_date[] = "2000-01-02";
const char baremail_board[] = "testboard";
