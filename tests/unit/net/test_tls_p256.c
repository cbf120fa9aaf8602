/*
 * Unit tests for net/tls_p256: Mbed TLS's P-256 arithmetic through the module's hooks against Mbed TLS's own
 * built-in arithmetic in the same binary (the module's test switch makes P-256 "not capable"), on random scalars and
 * points, on the special cases of each hook called directly, and on known answers: RFC 4754's ECDSA P-256 signature
 * with its fixed nonce, RFC 6979's P-256 key and signatures, each with the changes that must make verification fail.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

/* The hooks are called directly, as ecp.c calls them, and their coordinates looked at. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "net/tls_p256.h"

#include "third_party/mbedtls/library/ecp_internal_alt.h"

/* Random tests' sizes: enough to reach every window value of the comb method many times. */
#define RANDOM_ROUNDS 12

/* A deterministic generator (xorshift64*): the same bytes on every run, and the same stream replayed for the
 * built-in and the module's computation, whose blinding then takes the same random values. */
static uint64_t rng_state;

static void rng_seed(uint64_t seed)
{
    rng_state = seed * 0x9E3779B97F4A7C15u + 1;
}

static int rng(void *ctx, unsigned char *out, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        rng_state ^= rng_state >> 12;
        rng_state ^= rng_state << 25;
        rng_state ^= rng_state >> 27;
        out[i] = (unsigned char)((rng_state * 0x2545F4914F6CDD1Du) >> 56);
    }
    return 0;
}

/* Fixed bytes first (a known nonce), then rng(): what a known-answer signature needs. */
struct fixed_rng {
    const unsigned char *buf;
    size_t len;
};

static int fixed_then_rng(void *ctx, unsigned char *out, size_t len)
{
    struct fixed_rng *f = ctx;
    size_t n = len < f->len ? len : f->len;
    memcpy(out, f->buf, n);
    f->buf += n;
    f->len -= n;
    return rng(NULL, out + n, len - n);
}

static void load_p256(mbedtls_ecp_group *grp)
{
    mbedtls_ecp_group_init(grp);
    assert_int_equal(mbedtls_ecp_group_load(grp, MBEDTLS_ECP_DP_SECP256R1), 0);
}

static void read_hex(mbedtls_mpi *x, const char *hex)
{
    assert_int_equal(mbedtls_mpi_read_string(x, 16, hex), 0);
}

static void assert_mpi_equal(const mbedtls_mpi *a, const mbedtls_mpi *b)
{
    assert_int_equal(mbedtls_mpi_cmp_mpi(a, b), 0);
}

static void assert_point_equal(const mbedtls_ecp_point *a, const mbedtls_ecp_point *b)
{
    assert_mpi_equal(&a->X, &b->X);
    assert_mpi_equal(&a->Y, &b->Y);
    assert_mpi_equal(&a->Z, &b->Z);
}

/* x mod p into x. */
static void mod_p(const mbedtls_ecp_group *grp, mbedtls_mpi *x)
{
    assert_int_equal(mbedtls_mpi_mod_mpi(x, x, &grp->P), 0);
}

/* A random point k G (affine, Z = 1), by the built-in arithmetic. */
static void random_point(mbedtls_ecp_group *grp, mbedtls_ecp_point *pt)
{
    mbedtls_mpi k;
    mbedtls_mpi_init(&k);
    tls_p256_test_set_capable(0);
    assert_int_equal(mbedtls_ecp_gen_keypair(grp, &k, pt, rng, NULL), 0);
    tls_p256_test_set_capable(1);
    mbedtls_mpi_free(&k);
}

/* The same point in other Jacobian coordinates: (l^2 X, l^3 Y, l Z) for a random l. */
static void rescale(const mbedtls_ecp_group *grp, mbedtls_ecp_point *out, const mbedtls_ecp_point *in)
{
    mbedtls_mpi l, l2;
    mbedtls_mpi_init(&l);
    mbedtls_mpi_init(&l2);
    assert_int_equal(mbedtls_mpi_random(&l, 2, &grp->P, rng, NULL), 0);
    assert_int_equal(mbedtls_mpi_mul_mpi(&l2, &l, &l), 0);
    mod_p(grp, &l2);
    assert_int_equal(mbedtls_mpi_mul_mpi(&out->X, &in->X, &l2), 0);
    mod_p(grp, &out->X);
    assert_int_equal(mbedtls_mpi_mul_mpi(&out->Y, &in->Y, &l2), 0);
    mod_p(grp, &out->Y);
    assert_int_equal(mbedtls_mpi_mul_mpi(&out->Y, &out->Y, &l), 0);
    mod_p(grp, &out->Y);
    assert_int_equal(mbedtls_mpi_mul_mpi(&out->Z, &in->Z, &l), 0);
    mod_p(grp, &out->Z);
    mbedtls_mpi_free(&l);
    mbedtls_mpi_free(&l2);
}

/* m P + n Q by the built-in arithmetic: the reference for the hooks called directly. */
static int builtin_muladd(mbedtls_ecp_group *grp, mbedtls_ecp_point *r, int m, const mbedtls_ecp_point *p, int n,
                          const mbedtls_ecp_point *q)
{
    mbedtls_mpi mm, nn;
    mbedtls_mpi_init(&mm);
    mbedtls_mpi_init(&nn);
    assert_int_equal(mbedtls_mpi_lset(&mm, m), 0);
    assert_int_equal(mbedtls_mpi_lset(&nn, n), 0);
    tls_p256_test_set_capable(0);
    int ret = mbedtls_ecp_muladd(grp, r, &mm, p, &nn, q);
    tls_p256_test_set_capable(1);
    mbedtls_mpi_free(&mm);
    mbedtls_mpi_free(&nn);
    return ret;
}

static void test_capable_for_p256_only(void **state)
{
    static const mbedtls_ecp_group_id others[] = { MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_CURVE25519 };
    mbedtls_ecp_group grp;
    (void)state;

    load_p256(&grp);
    assert_true(mbedtls_internal_ecp_grp_capable(&grp));
    tls_p256_test_set_capable(0);
    assert_false(mbedtls_internal_ecp_grp_capable(&grp));
    tls_p256_test_set_capable(1);
    mbedtls_ecp_group_free(&grp);
    for (size_t i = 0; i < sizeof(others) / sizeof(others[0]); i++) {
        mbedtls_ecp_group_init(&grp);
        assert_int_equal(mbedtls_ecp_group_load(&grp, others[i]), 0);
        assert_false(mbedtls_internal_ecp_grp_capable(&grp));
        mbedtls_ecp_group_free(&grp);
    }
}

/* 2P through the doubling hook, from P in random Jacobian coordinates, written over P (R aliases P as in the comb
 * method) and into another point. */
static void test_double(void **state)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, j, r, expect;
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&j);
    mbedtls_ecp_point_init(&r);
    mbedtls_ecp_point_init(&expect);
    rng_seed(1);
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        random_point(&grp, &p);
        assert_int_equal(builtin_muladd(&grp, &expect, 1, &p, 1, &p), 0);
        rescale(&grp, &j, &p);
        assert_int_equal(mbedtls_internal_ecp_double_jac(&grp, &r, &j), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(&grp, &r), 0);
        assert_point_equal(&r, &expect);
        assert_int_equal(mbedtls_internal_ecp_double_jac(&grp, &j, &j), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(&grp, &j), 0);
        assert_point_equal(&j, &expect);
    }
    /* The point at infinity doubles to itself: Z stays 0. */
    assert_int_equal(mbedtls_mpi_lset(&p.Z, 0), 0);
    assert_int_equal(mbedtls_internal_ecp_double_jac(&grp, &r, &p), 0);
    assert_int_equal(mbedtls_mpi_cmp_int(&r.Z, 0), 0);
    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_point_free(&j);
    mbedtls_ecp_point_free(&r);
    mbedtls_ecp_point_free(&expect);
    mbedtls_ecp_group_free(&grp);
}

/* P + Q through the mixed addition hook, P in random Jacobian coordinates, Q affine: the general case (into another
 * point and over P), P == Q, P == -Q, either at infinity, and the inputs ecp.c refuses. */
static void test_add_mixed(void **state)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, q, j, r, expect;
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecp_point_init(&j);
    mbedtls_ecp_point_init(&r);
    mbedtls_ecp_point_init(&expect);
    rng_seed(2);
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        random_point(&grp, &p);
        random_point(&grp, &q);
        assert_int_equal(builtin_muladd(&grp, &expect, 1, &p, 1, &q), 0);
        rescale(&grp, &j, &p);
        assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &r, &j, &q), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(&grp, &r), 0);
        assert_point_equal(&r, &expect);
        assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &j, &j, &q), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(&grp, &j), 0);
        assert_point_equal(&j, &expect);
    }

    /* P == Q: the doubling. */
    assert_int_equal(builtin_muladd(&grp, &expect, 2, &q, 0, &q), 0);
    rescale(&grp, &j, &q);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &r, &j, &q), 0);
    assert_int_equal(mbedtls_internal_ecp_normalize_jac(&grp, &r), 0);
    assert_point_equal(&r, &expect);

    /* P == -Q: the point at infinity as mbedtls_ecp_set_zero() writes it. */
    assert_int_equal(mbedtls_ecp_copy(&p, &q), 0);
    assert_int_equal(mbedtls_mpi_sub_mpi(&p.Y, &grp.P, &q.Y), 0);
    rescale(&grp, &j, &p);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &r, &j, &q), 0);
    assert_int_equal(mbedtls_ecp_set_zero(&expect), 0);
    assert_point_equal(&r, &expect);

    /* P at infinity gives Q; Q at infinity gives P, in P's own coordinates. */
    assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &r, &expect, &q), 0);
    assert_point_equal(&r, &q);
    rescale(&grp, &j, &p);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &r, &j, &expect), 0);
    assert_point_equal(&r, &j);

    /* Q not affine, or without Z at all: bad input, as in ecp.c. */
    assert_int_equal(mbedtls_mpi_lset(&q.Z, 2), 0);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &r, &j, &q), MBEDTLS_ERR_ECP_BAD_INPUT_DATA);
    mbedtls_mpi_free(&q.Z);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(&grp, &r, &j, &q), MBEDTLS_ERR_ECP_BAD_INPUT_DATA);

    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_point_free(&j);
    mbedtls_ecp_point_free(&r);
    mbedtls_ecp_point_free(&expect);
    mbedtls_ecp_group_free(&grp);
}

/* Normalizing many points at once gives each its affine coordinates; a point at infinity among them is refused
 * and leaves every point as it was. */
static void test_normalize_many(void **state)
{
    enum { COUNT = 5 };
    mbedtls_ecp_group grp;
    mbedtls_ecp_point affine[COUNT], jac[COUNT], before;
    mbedtls_ecp_point *t[COUNT];
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&before);
    rng_seed(3);
    for (size_t i = 0; i < COUNT; i++) {
        mbedtls_ecp_point_init(&affine[i]);
        mbedtls_ecp_point_init(&jac[i]);
        random_point(&grp, &affine[i]);
        rescale(&grp, &jac[i], &affine[i]);
        t[i] = &jac[i];
    }
    for (size_t n = 1; n <= COUNT; n++) {
        for (size_t i = 0; i < n; i++) {
            rescale(&grp, &jac[i], &affine[i]);
        }
        assert_int_equal(mbedtls_internal_ecp_normalize_jac_many(&grp, t, n), 0);
        for (size_t i = 0; i < n; i++) {
            assert_point_equal(&jac[i], &affine[i]);
        }
    }

    for (size_t i = 0; i < COUNT; i++) {
        rescale(&grp, &jac[i], &affine[i]);
    }
    assert_int_equal(mbedtls_mpi_lset(&jac[2].Z, 0), 0);
    assert_int_equal(mbedtls_ecp_copy(&before, &jac[COUNT - 1]), 0);
    assert_int_equal(mbedtls_internal_ecp_normalize_jac_many(&grp, t, COUNT), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
    assert_point_equal(&jac[COUNT - 1], &before);

    for (size_t i = 0; i < COUNT; i++) {
        mbedtls_ecp_point_free(&affine[i]);
        mbedtls_ecp_point_free(&jac[i]);
    }
    mbedtls_ecp_point_free(&before);
    mbedtls_ecp_group_free(&grp);
}

/* Coordinates Mbed TLS would not hand over but its arithmetic accepts: >= p, negative, with spare zero limbs. The
 * hooks reduce them as the built-in modular operations do. */
static void test_unreduced_coordinates(void **state)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, odd, r, expect;
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&odd);
    mbedtls_ecp_point_init(&r);
    mbedtls_ecp_point_init(&expect);
    rng_seed(4);
    random_point(&grp, &p);
    assert_int_equal(builtin_muladd(&grp, &expect, 2, &p, 0, &p), 0);

    assert_int_equal(mbedtls_ecp_copy(&odd, &p), 0);
    assert_int_equal(mbedtls_mpi_add_mpi(&odd.X, &p.X, &grp.P), 0); /* in [p, 2^256) or above */
    assert_int_equal(mbedtls_mpi_sub_mpi(&odd.Y, &p.Y, &grp.P), 0); /* negative */
    assert_int_equal(mbedtls_mpi_grow(&odd.Z, 3 * grp.P.n), 0);     /* spare zero limbs */
    assert_int_equal(mbedtls_internal_ecp_double_jac(&grp, &r, &odd), 0);
    assert_int_equal(mbedtls_internal_ecp_normalize_jac(&grp, &r), 0);
    assert_point_equal(&r, &expect);

    /* p + small: just above p, the one-subtraction path. */
    assert_int_equal(mbedtls_ecp_copy(&odd, &p), 0);
    assert_int_equal(mbedtls_mpi_lset(&odd.X, 0), 0);
    assert_int_equal(mbedtls_mpi_add_mpi(&odd.X, &odd.X, &grp.P), 0);
    assert_int_equal(mbedtls_ecp_copy(&r, &p), 0);
    assert_int_equal(mbedtls_mpi_lset(&r.X, 0), 0);
    assert_int_equal(mbedtls_internal_ecp_double_jac(&grp, &odd, &odd), 0);
    assert_int_equal(mbedtls_internal_ecp_double_jac(&grp, &r, &r), 0);
    assert_point_equal(&odd, &r);

    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_point_free(&odd);
    mbedtls_ecp_point_free(&r);
    mbedtls_ecp_point_free(&expect);
    mbedtls_ecp_group_free(&grp);
}

/* k P for random and edge scalars, of G and of random points: the module's result is the built-in one. */
static void test_mul_matches_builtin(void **state)
{
    static const char *const edges[] = {
        "1",
        "2",
        "3",
        "4",
        "FF",
        /* N - 1, N - 2 */
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632550",
        "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC63254F",
    };
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, mine, builtin;
    mbedtls_mpi k;
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&p);
    mbedtls_ecp_point_init(&mine);
    mbedtls_ecp_point_init(&builtin);
    mbedtls_mpi_init(&k);
    rng_seed(5);
    for (size_t round = 0; round < RANDOM_ROUNDS + sizeof(edges) / sizeof(edges[0]); round++) {
        if (round < RANDOM_ROUNDS) {
            assert_int_equal(mbedtls_mpi_random(&k, 1, &grp.N, rng, NULL), 0);
        } else {
            read_hex(&k, edges[round - RANDOM_ROUNDS]);
        }
        for (int of_g = 0; of_g < 2; of_g++) {
            if (of_g) {
                assert_int_equal(mbedtls_ecp_copy(&p, &grp.G), 0);
            } else {
                random_point(&grp, &p);
            }
            uint64_t seed = rng_state;
            assert_int_equal(mbedtls_ecp_mul(&grp, &mine, &k, &p, rng, NULL), 0);
            rng_state = seed;
            tls_p256_test_set_capable(0);
            assert_int_equal(mbedtls_ecp_mul(&grp, &builtin, &k, &p, rng, NULL), 0);
            tls_p256_test_set_capable(1);
            assert_point_equal(&mine, &builtin);
            assert_int_equal(mbedtls_ecp_check_pubkey(&grp, &mine), 0);
        }
    }
    mbedtls_ecp_point_free(&p);
    mbedtls_ecp_point_free(&mine);
    mbedtls_ecp_point_free(&builtin);
    mbedtls_mpi_free(&k);
    mbedtls_ecp_group_free(&grp);
}

/* m G + n Q (what ECDSA verification computes) for random scalars and points, and for n Q == m G (the final
 * addition doubles) and n Q == -m G (the sum is the point at infinity). */
static void test_muladd_matches_builtin(void **state)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q, mine, builtin;
    mbedtls_mpi m, n;
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecp_point_init(&mine);
    mbedtls_ecp_point_init(&builtin);
    mbedtls_mpi_init(&m);
    mbedtls_mpi_init(&n);
    rng_seed(6);
    for (int round = 0; round < RANDOM_ROUNDS + 2; round++) {
        assert_int_equal(mbedtls_mpi_random(&m, 1, &grp.N, rng, NULL), 0);
        if (round < RANDOM_ROUNDS) {
            assert_int_equal(mbedtls_mpi_random(&n, 1, &grp.N, rng, NULL), 0);
            random_point(&grp, &q);
        } else {
            assert_int_equal(mbedtls_ecp_copy(&q, &grp.G), 0);
            assert_int_equal(round == RANDOM_ROUNDS ? mbedtls_mpi_copy(&n, &m) : mbedtls_mpi_sub_mpi(&n, &grp.N, &m),
                             0);
        }
        int ret = mbedtls_ecp_muladd(&grp, &mine, &m, &grp.G, &n, &q);
        tls_p256_test_set_capable(0);
        assert_int_equal(mbedtls_ecp_muladd(&grp, &builtin, &m, &grp.G, &n, &q), ret);
        tls_p256_test_set_capable(1);
        assert_int_equal(ret, 0);
        assert_point_equal(&mine, &builtin);
        if (round == RANDOM_ROUNDS + 1) {
            assert_true(mbedtls_ecp_is_zero(&mine));
        } else {
            assert_int_equal(mbedtls_ecp_check_pubkey(&grp, &mine), 0);
        }
    }
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_point_free(&mine);
    mbedtls_ecp_point_free(&builtin);
    mbedtls_mpi_free(&m);
    mbedtls_mpi_free(&n);
    mbedtls_ecp_group_free(&grp);
}

/* A signature that must verify, and the changes to it that must not: another key, r or s off by one, r and s
 * swapped, one bit of the hash flipped. */
static void check_signature(mbedtls_ecp_group *grp, const mbedtls_ecp_point *q, const unsigned char *hash,
                            size_t hash_len, const mbedtls_mpi *r, const mbedtls_mpi *s)
{
    unsigned char flipped[64];
    mbedtls_mpi r1, s1;
    mbedtls_mpi_init(&r1);
    mbedtls_mpi_init(&s1);

    assert_int_equal(mbedtls_ecdsa_verify(grp, hash, hash_len, q, r, s), 0);
    assert_int_equal(mbedtls_ecdsa_verify(grp, hash, hash_len, &grp->G, r, s), MBEDTLS_ERR_ECP_VERIFY_FAILED);
    assert_int_equal(mbedtls_mpi_add_int(&r1, r, 1), 0);
    assert_int_equal(mbedtls_mpi_sub_int(&s1, s, 1), 0);
    assert_int_equal(mbedtls_ecdsa_verify(grp, hash, hash_len, q, &r1, s), MBEDTLS_ERR_ECP_VERIFY_FAILED);
    assert_int_equal(mbedtls_ecdsa_verify(grp, hash, hash_len, q, r, &s1), MBEDTLS_ERR_ECP_VERIFY_FAILED);
    assert_int_equal(mbedtls_ecdsa_verify(grp, hash, hash_len, q, s, r), MBEDTLS_ERR_ECP_VERIFY_FAILED);
    assert_true(hash_len <= sizeof(flipped));
    memcpy(flipped, hash, hash_len);
    flipped[hash_len / 2] ^= 0x10;
    assert_int_equal(mbedtls_ecdsa_verify(grp, flipped, hash_len, q, r, s), MBEDTLS_ERR_ECP_VERIFY_FAILED);
    mbedtls_mpi_free(&r1);
    mbedtls_mpi_free(&s1);
}

static void hex_to_bytes(unsigned char *out, size_t len, const char *hex)
{
    assert_int_equal(strlen(hex), 2 * len);
    for (size_t i = 0; i < len; i++) {
        unsigned v;
        assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
        out[i] = (unsigned char)v;
    }
}

/* RFC 4754 section 8.1 (ECDSA over P-256 with SHA-256 of "abc"): the key pair, and the signature made with the
 * RFC's nonce k, which is the first thing the signer draws from its random generator. */
static void test_ecdsa_rfc4754(void **state)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q, q_computed;
    mbedtls_mpi d, r, s, r_expect, s_expect;
    unsigned char k[32], hash[32];
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecp_point_init(&q_computed);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    mbedtls_mpi_init(&r_expect);
    mbedtls_mpi_init(&s_expect);
    read_hex(&d, "DC51D3866A15BACDE33D96F992FCA99DA7E6EF0934E7097559C27F1614C88A7F");
    assert_int_equal(mbedtls_ecp_point_read_string(&q, 16,
                                                   "2442A5CC0ECD015FA3CA31DC8E2BBC70BF42D60CBCA20085E0822CB04235E970",
                                                   "6FC98BD7E50211A4A27102FA3549DF79EBCB4BF246B80945CDDFE7D509BBFD7D"),
                     0);
    hex_to_bytes(k, sizeof(k), "9E56F509196784D963D1C0A401510EE7ADA3DCC5DEE04B154BF61AF1D5A6DECE");
    hex_to_bytes(hash, sizeof(hash), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    read_hex(&r_expect, "CB28E0999B9C7715FD0A80D8E47A77079716CBBF917DD72E97566EA1C066957C");
    read_hex(&s_expect, "86FA3BB4E26CAD5BF90B7F81899256CE7594BB1EA0C89212748BFF3B3D5B0315");
    rng_seed(7);

    assert_int_equal(mbedtls_ecp_mul(&grp, &q_computed, &d, &grp.G, rng, NULL), 0);
    assert_point_equal(&q_computed, &q);

    struct fixed_rng nonce = { k, sizeof(k) };
    assert_int_equal(mbedtls_ecdsa_sign(&grp, &r, &s, &d, hash, sizeof(hash), fixed_then_rng, &nonce), 0);
    assert_mpi_equal(&r, &r_expect);
    assert_mpi_equal(&s, &s_expect);
    check_signature(&grp, &q, hash, sizeof(hash), &r, &s);

    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_point_free(&q_computed);
    mbedtls_mpi_free(&d);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_mpi_free(&r_expect);
    mbedtls_mpi_free(&s_expect);
    mbedtls_ecp_group_free(&grp);
}

/* RFC 6979 appendix A.2.5 (P-256): the public key from the private one, and the deterministic SHA-256 signatures of
 * "sample" and "test" verified (their hashes given here), with the changes that must fail. */
static void test_ecdsa_rfc6979(void **state)
{
    static const struct {
        const char *hash, *r, *s;
    } sigs[] = {
        { "AF2BDBE1AA9B6EC1E2ADE1D694F41FC71A831D0268E9891562113D8A62ADD1BF",
          "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
          "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8" },
        { "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08",
          "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
          "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083" },
    };
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q, q_computed;
    mbedtls_mpi d, r, s;
    unsigned char hash[32];
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_ecp_point_init(&q_computed);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    read_hex(&d, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721");
    assert_int_equal(mbedtls_ecp_point_read_string(&q, 16,
                                                   "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
                                                   "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299"),
                     0);
    rng_seed(8);
    assert_int_equal(mbedtls_ecp_mul(&grp, &q_computed, &d, &grp.G, rng, NULL), 0);
    assert_point_equal(&q_computed, &q);
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        hex_to_bytes(hash, sizeof(hash), sigs[i].hash);
        read_hex(&r, sigs[i].r);
        read_hex(&s, sigs[i].s);
        check_signature(&grp, &q, hash, sizeof(hash), &r, &s);
    }
    mbedtls_ecp_point_free(&q);
    mbedtls_ecp_point_free(&q_computed);
    mbedtls_mpi_free(&d);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecp_group_free(&grp);
}

/* Random keys: signed with the module and verified by the built-in arithmetic and the other way round. */
static void test_ecdsa_round_trips(void **state)
{
    mbedtls_ecp_group grp;
    mbedtls_ecp_point q;
    mbedtls_mpi d, r, s;
    unsigned char hash[32];
    (void)state;

    load_p256(&grp);
    mbedtls_ecp_point_init(&q);
    mbedtls_mpi_init(&d);
    mbedtls_mpi_init(&r);
    mbedtls_mpi_init(&s);
    rng_seed(9);
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        int sign_with_module = round % 2;
        assert_int_equal(rng(NULL, hash, sizeof(hash)), 0);
        tls_p256_test_set_capable(sign_with_module);
        assert_int_equal(mbedtls_ecp_gen_keypair(&grp, &d, &q, rng, NULL), 0);
        assert_int_equal(mbedtls_ecdsa_sign(&grp, &r, &s, &d, hash, sizeof(hash), rng, NULL), 0);
        tls_p256_test_set_capable(!sign_with_module);
        check_signature(&grp, &q, hash, sizeof(hash), &r, &s);
        tls_p256_test_set_capable(1);
    }
    mbedtls_ecp_point_free(&q);
    mbedtls_mpi_free(&d);
    mbedtls_mpi_free(&r);
    mbedtls_mpi_free(&s);
    mbedtls_ecp_group_free(&grp);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_capable_for_p256_only),
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_add_mixed),
        cmocka_unit_test(test_normalize_many),
        cmocka_unit_test(test_unreduced_coordinates),
        cmocka_unit_test(test_mul_matches_builtin),
        cmocka_unit_test(test_muladd_matches_builtin),
        cmocka_unit_test(test_ecdsa_rfc4754),
        cmocka_unit_test(test_ecdsa_rfc6979),
        cmocka_unit_test(test_ecdsa_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
