/*
 * ssmtp_seed.h - the seed's ssmtp.conf (tests/data/config/ssmtp.conf) byte for byte, for the tests that parse or
 * load it: mailhub is on line 11, AuthPass on 15, hostname on 24.
 */
#ifndef TESTS_UNIT_FAKES_SSMTP_SEED_H
#define TESTS_UNIT_FAKES_SSMTP_SEED_H

static const char ssmtp_seed_conf[] = "#\n"
                                      "# Config file for sSMTP sendmail\n"
                                      "#\n"
                                      "# The person who gets all mail for userids < 1000\n"
                                      "# Make this empty to disable rewriting.\n"
                                      "#root=postmaster\n"
                                      "root=alerts@example.com\n"
                                      "\n"
                                      "# The place where the mail goes. The actual machine name is required no\n"
                                      "# MX records are consulted. Commonly mailhosts are named mail.domain.com\n"
                                      "mailhub=smtp.gmail.com:587\n"
                                      "#Or whatever domain you using\n"
                                      "\n"
                                      "AuthUser=alerts@example.com\n"
                                      "AuthPass=abcd efgh ijkl mnop\n"
                                      "UseTLS=YES\n"
                                      "UseSTARTTLS=YES\n"
                                      "\n"
                                      "# Where will the mail seem to come from?\n"
                                      "#rewriteDomain=\n"
                                      "rewriteDomain=gmail.com\n"
                                      "#Or whatever @domain.com you using\n"
                                      "# The full hostname\n"
                                      "hostname=MiniProjet SMTP Unix\n"
                                      "#Get the hostname by issuing the command hostname\n"
                                      "\n"
                                      "# Are users allowed to set their own From: address?\n"
                                      "# YES - Allow the user to specify their own From: address\n"
                                      "# NO - Use the system generated From: address\n"
                                      "FromLineOverride=YES\n";

#endif /* TESTS_UNIT_FAKES_SSMTP_SEED_H */
