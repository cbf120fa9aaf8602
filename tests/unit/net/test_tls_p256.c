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
#include <stdlib.h>
#include <string.h>

/* The hooks are called directly, as ecp.c calls them, and their coordinates looked at. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "mbedtls/ecdsa.h"
#include "mbedtls/ecp.h"
#include "net/tls_p256.h"

#include "third_party/mbedtls/library/ecp_internal_alt.h"

/* Mbed TLS's calls of the doubling and mixed-addition hooks (the test links with --wrap for both): the comparisons
 * with the built-in code would also agree if ecp.c never called the hooks at all, so they count the calls too. */
static unsigned hook_calls;

int __real_mbedtls_internal_ecp_double_jac(const mbedtls_ecp_group *grp, mbedtls_ecp_point *R,
                                           const mbedtls_ecp_point *P);
int __real_mbedtls_internal_ecp_add_mixed(const mbedtls_ecp_group *grp, mbedtls_ecp_point *R,
                                          const mbedtls_ecp_point *P, const mbedtls_ecp_point *Q);

int __wrap_mbedtls_internal_ecp_double_jac(const mbedtls_ecp_group *grp, mbedtls_ecp_point *R,
                                           const mbedtls_ecp_point *P)
{
    hook_calls++;
    return __real_mbedtls_internal_ecp_double_jac(grp, R, P);
}

int __wrap_mbedtls_internal_ecp_add_mixed(const mbedtls_ecp_group *grp, mbedtls_ecp_point *R,
                                          const mbedtls_ecp_point *P, const mbedtls_ecp_point *Q)
{
    hook_calls++;
    return __real_mbedtls_internal_ecp_add_mixed(grp, R, P, Q);
}

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

/* What the tests work on, set up and freed around each one (ASan's leak check then sees what the code under test
 * allocated and kept): the P-256 group, points and numbers. */
struct fixture {
    mbedtls_ecp_group grp;
    mbedtls_ecp_point p, q, j, r, expect;
    mbedtls_mpi d, m, n, sig_r, sig_s, want_r, want_s;
};

static int fixture_setup(void **state)
{
    struct fixture *f = calloc(1, sizeof(*f));
    assert_non_null(f);
    load_p256(&f->grp);
    mbedtls_ecp_point *points[] = { &f->p, &f->q, &f->j, &f->r, &f->expect };
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        mbedtls_ecp_point_init(points[i]);
    }
    mbedtls_mpi *numbers[] = { &f->d, &f->m, &f->n, &f->sig_r, &f->sig_s, &f->want_r, &f->want_s };
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        mbedtls_mpi_init(numbers[i]);
    }
    *state = f;
    return 0;
}

static int fixture_teardown(void **state)
{
    struct fixture *f = *state;
    mbedtls_ecp_point *points[] = { &f->p, &f->q, &f->j, &f->r, &f->expect };
    for (size_t i = 0; i < sizeof(points) / sizeof(points[0]); i++) {
        mbedtls_ecp_point_free(points[i]);
    }
    mbedtls_mpi *numbers[] = { &f->d, &f->m, &f->n, &f->sig_r, &f->sig_s, &f->want_r, &f->want_s };
    for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
        mbedtls_mpi_free(numbers[i]);
    }
    mbedtls_ecp_group_free(&f->grp);
    free(f);
    tls_p256_test_set_capable(1);
    return 0;
}

static void test_capable_for_p256_only(void **state)
{
    static const mbedtls_ecp_group_id others[] = { MBEDTLS_ECP_DP_SECP384R1, MBEDTLS_ECP_DP_CURVE25519 };
    struct fixture *f = *state;
    mbedtls_ecp_group grp;

    assert_true(mbedtls_internal_ecp_grp_capable(&f->grp));
    tls_p256_test_set_capable(0);
    assert_false(mbedtls_internal_ecp_grp_capable(&f->grp));
    tls_p256_test_set_capable(1);
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
    struct fixture *f = *state;
    mbedtls_ecp_group *grp = &f->grp;

    rng_seed(1);
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        random_point(grp, &f->p);
        assert_int_equal(builtin_muladd(grp, &f->expect, 1, &f->p, 1, &f->p), 0);
        rescale(grp, &f->j, &f->p);
        assert_int_equal(mbedtls_internal_ecp_double_jac(grp, &f->r, &f->j), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(grp, &f->r), 0);
        assert_point_equal(&f->r, &f->expect);
        assert_int_equal(mbedtls_internal_ecp_double_jac(grp, &f->j, &f->j), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(grp, &f->j), 0);
        assert_point_equal(&f->j, &f->expect);
    }
    /* The point at infinity doubles to itself: Z stays 0. */
    assert_int_equal(mbedtls_mpi_lset(&f->p.Z, 0), 0);
    assert_int_equal(mbedtls_internal_ecp_double_jac(grp, &f->r, &f->p), 0);
    assert_int_equal(mbedtls_mpi_cmp_int(&f->r.Z, 0), 0);
}

/* P + Q through the mixed addition hook, P in random Jacobian coordinates, Q affine: the general case (into another
 * point and over P), P == Q, P == -Q, either at infinity, and the inputs ecp.c refuses. */
static void test_add_mixed(void **state)
{
    struct fixture *f = *state;
    mbedtls_ecp_group *grp = &f->grp;

    rng_seed(2);
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        random_point(grp, &f->p);
        random_point(grp, &f->q);
        assert_int_equal(builtin_muladd(grp, &f->expect, 1, &f->p, 1, &f->q), 0);
        rescale(grp, &f->j, &f->p);
        assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->r, &f->j, &f->q), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(grp, &f->r), 0);
        assert_point_equal(&f->r, &f->expect);
        assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->j, &f->j, &f->q), 0);
        assert_int_equal(mbedtls_internal_ecp_normalize_jac(grp, &f->j), 0);
        assert_point_equal(&f->j, &f->expect);
    }

    /* P == Q: the doubling. */
    assert_int_equal(builtin_muladd(grp, &f->expect, 2, &f->q, 0, &f->q), 0);
    rescale(grp, &f->j, &f->q);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->r, &f->j, &f->q), 0);
    assert_int_equal(mbedtls_internal_ecp_normalize_jac(grp, &f->r), 0);
    assert_point_equal(&f->r, &f->expect);

    /* P == -Q: the point at infinity as mbedtls_ecp_set_zero() writes it. */
    assert_int_equal(mbedtls_ecp_copy(&f->p, &f->q), 0);
    assert_int_equal(mbedtls_mpi_sub_mpi(&f->p.Y, &grp->P, &f->q.Y), 0);
    rescale(grp, &f->j, &f->p);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->r, &f->j, &f->q), 0);
    assert_int_equal(mbedtls_ecp_set_zero(&f->expect), 0);
    assert_point_equal(&f->r, &f->expect);

    /* P at infinity gives Q; Q at infinity gives P, in P's own coordinates. */
    assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->r, &f->expect, &f->q), 0);
    assert_point_equal(&f->r, &f->q);
    rescale(grp, &f->j, &f->p);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->r, &f->j, &f->expect), 0);
    assert_point_equal(&f->r, &f->j);

    /* Q not affine, or without Z at all: bad input, as in ecp.c. */
    assert_int_equal(mbedtls_mpi_lset(&f->q.Z, 2), 0);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->r, &f->j, &f->q), MBEDTLS_ERR_ECP_BAD_INPUT_DATA);
    mbedtls_mpi_free(&f->q.Z);
    assert_int_equal(mbedtls_internal_ecp_add_mixed(grp, &f->r, &f->j, &f->q), MBEDTLS_ERR_ECP_BAD_INPUT_DATA);
}

/* Normalizing many points at once gives each its affine coordinates; a point at infinity among them is refused
 * and leaves every point as it was. */
static void test_normalize_many(void **state)
{
    enum { COUNT = 5 };
    struct fixture *f = *state;
    mbedtls_ecp_group *grp = &f->grp;
    mbedtls_ecp_point affine[COUNT], jac[COUNT];
    mbedtls_ecp_point *t[COUNT];

    rng_seed(3);
    for (size_t i = 0; i < COUNT; i++) {
        mbedtls_ecp_point_init(&affine[i]);
        mbedtls_ecp_point_init(&jac[i]);
        random_point(grp, &affine[i]);
        t[i] = &jac[i];
    }
    for (size_t n = 1; n <= COUNT; n++) {
        for (size_t i = 0; i < n; i++) {
            rescale(grp, &jac[i], &affine[i]);
        }
        assert_int_equal(mbedtls_internal_ecp_normalize_jac_many(grp, t, n), 0);
        for (size_t i = 0; i < n; i++) {
            assert_point_equal(&jac[i], &affine[i]);
        }
    }

    for (size_t i = 0; i < COUNT; i++) {
        rescale(grp, &jac[i], &affine[i]);
    }
    assert_int_equal(mbedtls_mpi_lset(&jac[2].Z, 0), 0);
    assert_int_equal(mbedtls_ecp_copy(&f->p, &jac[COUNT - 1]), 0);
    assert_int_equal(mbedtls_internal_ecp_normalize_jac_many(grp, t, COUNT), MBEDTLS_ERR_MPI_NOT_ACCEPTABLE);
    assert_point_equal(&jac[COUNT - 1], &f->p);

    for (size_t i = 0; i < COUNT; i++) {
        mbedtls_ecp_point_free(&affine[i]);
        mbedtls_ecp_point_free(&jac[i]);
    }
}

/* Coordinates Mbed TLS would not hand over but its arithmetic accepts: >= p, negative, with spare zero limbs. The
 * hooks reduce them as the built-in modular operations do. */
static void test_unreduced_coordinates(void **state)
{
    struct fixture *f = *state;
    mbedtls_ecp_group *grp = &f->grp;
    mbedtls_ecp_point *odd = &f->j;

    rng_seed(4);
    random_point(grp, &f->p);
    assert_int_equal(builtin_muladd(grp, &f->expect, 2, &f->p, 0, &f->p), 0);

    assert_int_equal(mbedtls_ecp_copy(odd, &f->p), 0);
    assert_int_equal(mbedtls_mpi_add_mpi(&odd->X, &f->p.X, &grp->P), 0); /* in [p, 2^256) or above */
    assert_int_equal(mbedtls_mpi_sub_mpi(&odd->Y, &f->p.Y, &grp->P), 0); /* negative */
    assert_int_equal(mbedtls_mpi_grow(&odd->Z, 3 * grp->P.n), 0);        /* spare zero limbs */
    assert_int_equal(mbedtls_internal_ecp_double_jac(grp, &f->r, odd), 0);
    assert_int_equal(mbedtls_internal_ecp_normalize_jac(grp, &f->r), 0);
    assert_point_equal(&f->r, &f->expect);

    /* X == p exactly: the one-subtraction path gives 0. */
    assert_int_equal(mbedtls_ecp_copy(odd, &f->p), 0);
    assert_int_equal(mbedtls_mpi_copy(&odd->X, &grp->P), 0);
    assert_int_equal(mbedtls_ecp_copy(&f->r, &f->p), 0);
    assert_int_equal(mbedtls_mpi_lset(&f->r.X, 0), 0);
    assert_int_equal(mbedtls_internal_ecp_double_jac(grp, odd, odd), 0);
    assert_int_equal(mbedtls_internal_ecp_double_jac(grp, &f->r, &f->r), 0);
    assert_point_equal(odd, &f->r);
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
    struct fixture *f = *state;
    mbedtls_ecp_group *grp = &f->grp;
    mbedtls_mpi *k = &f->m;

    rng_seed(5);
    for (size_t round = 0; round < RANDOM_ROUNDS + sizeof(edges) / sizeof(edges[0]); round++) {
        if (round < RANDOM_ROUNDS) {
            assert_int_equal(mbedtls_mpi_random(k, 1, &grp->N, rng, NULL), 0);
        } else {
            read_hex(k, edges[round - RANDOM_ROUNDS]);
        }
        for (int of_g = 0; of_g < 2; of_g++) {
            if (of_g) {
                assert_int_equal(mbedtls_ecp_copy(&f->p, &grp->G), 0);
            } else {
                random_point(grp, &f->p);
            }
            uint64_t seed = rng_state;
            hook_calls = 0;
            assert_int_equal(mbedtls_ecp_mul(grp, &f->r, k, &f->p, rng, NULL), 0);
            assert_true(hook_calls > 0);
            rng_state = seed;
            tls_p256_test_set_capable(0);
            hook_calls = 0;
            assert_int_equal(mbedtls_ecp_mul(grp, &f->expect, k, &f->p, rng, NULL), 0);
            assert_int_equal(hook_calls, 0);
            tls_p256_test_set_capable(1);
            assert_point_equal(&f->r, &f->expect);
            assert_int_equal(mbedtls_ecp_check_pubkey(grp, &f->r), 0);
        }
    }
}

/* m G + n Q (what ECDSA verification computes) for random scalars and points, and for n Q == m G (the final
 * addition doubles) and n Q == -m G (the sum is the point at infinity). */
static void test_muladd_matches_builtin(void **state)
{
    struct fixture *f = *state;
    mbedtls_ecp_group *grp = &f->grp;

    rng_seed(6);
    for (int round = 0; round < RANDOM_ROUNDS + 2; round++) {
        assert_int_equal(mbedtls_mpi_random(&f->m, 1, &grp->N, rng, NULL), 0);
        if (round < RANDOM_ROUNDS) {
            assert_int_equal(mbedtls_mpi_random(&f->n, 1, &grp->N, rng, NULL), 0);
            random_point(grp, &f->q);
        } else {
            assert_int_equal(mbedtls_ecp_copy(&f->q, &grp->G), 0);
            assert_int_equal(round == RANDOM_ROUNDS ? mbedtls_mpi_copy(&f->n, &f->m)
                                                    : mbedtls_mpi_sub_mpi(&f->n, &grp->N, &f->m),
                             0);
        }
        hook_calls = 0;
        int ret = mbedtls_ecp_muladd(grp, &f->r, &f->m, &grp->G, &f->n, &f->q);
        assert_true(hook_calls > 0);
        tls_p256_test_set_capable(0);
        hook_calls = 0;
        assert_int_equal(mbedtls_ecp_muladd(grp, &f->expect, &f->m, &grp->G, &f->n, &f->q), ret);
        assert_int_equal(hook_calls, 0);
        tls_p256_test_set_capable(1);
        assert_int_equal(ret, 0);
        assert_point_equal(&f->r, &f->expect);
        if (round == RANDOM_ROUNDS + 1) {
            assert_true(mbedtls_ecp_is_zero(&f->r));
        } else {
            assert_int_equal(mbedtls_ecp_check_pubkey(grp, &f->r), 0);
        }
    }
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

/* A published key pair: d and Q read, and d G (through the module) checked against Q. */
static void load_known_key(mbedtls_ecp_group *grp, mbedtls_mpi *d, mbedtls_ecp_point *q, const char *d_hex,
                           const char *x_hex, const char *y_hex)
{
    mbedtls_ecp_point computed;
    mbedtls_ecp_point_init(&computed);
    read_hex(d, d_hex);
    assert_int_equal(mbedtls_ecp_point_read_string(q, 16, x_hex, y_hex), 0);
    assert_int_equal(mbedtls_ecp_mul(grp, &computed, d, &grp->G, rng, NULL), 0);
    assert_point_equal(&computed, q);
    mbedtls_ecp_point_free(&computed);
}

/* RFC 4754 section 8.1 (ECDSA over P-256 with SHA-256 of "abc"): the key pair, and the signature made with the
 * RFC's nonce k, which is the first thing the signer draws from its random generator. */
static void test_ecdsa_rfc4754(void **state)
{
    struct fixture *f = *state;
    unsigned char k[32], hash[32];

    rng_seed(7);
    load_known_key(&f->grp, &f->d, &f->q, "DC51D3866A15BACDE33D96F992FCA99DA7E6EF0934E7097559C27F1614C88A7F",
                   "2442A5CC0ECD015FA3CA31DC8E2BBC70BF42D60CBCA20085E0822CB04235E970",
                   "6FC98BD7E50211A4A27102FA3549DF79EBCB4BF246B80945CDDFE7D509BBFD7D");
    hex_to_bytes(k, sizeof(k), "9E56F509196784D963D1C0A401510EE7ADA3DCC5DEE04B154BF61AF1D5A6DECE");
    hex_to_bytes(hash, sizeof(hash), "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD");
    read_hex(&f->want_r, "CB28E0999B9C7715FD0A80D8E47A77079716CBBF917DD72E97566EA1C066957C");
    read_hex(&f->want_s, "86FA3BB4E26CAD5BF90B7F81899256CE7594BB1EA0C89212748BFF3B3D5B0315");

    struct fixed_rng nonce = { k, sizeof(k) };
    assert_int_equal(
        mbedtls_ecdsa_sign(&f->grp, &f->sig_r, &f->sig_s, &f->d, hash, sizeof(hash), fixed_then_rng, &nonce), 0);
    assert_mpi_equal(&f->sig_r, &f->want_r);
    assert_mpi_equal(&f->sig_s, &f->want_s);
    check_signature(&f->grp, &f->q, hash, sizeof(hash), &f->sig_r, &f->sig_s);
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
    struct fixture *f = *state;
    unsigned char hash[32];

    rng_seed(8);
    load_known_key(&f->grp, &f->d, &f->q, "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
                   "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6",
                   "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
    for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++) {
        hex_to_bytes(hash, sizeof(hash), sigs[i].hash);
        read_hex(&f->sig_r, sigs[i].r);
        read_hex(&f->sig_s, sigs[i].s);
        check_signature(&f->grp, &f->q, hash, sizeof(hash), &f->sig_r, &f->sig_s);
    }
}

/* Random keys: signed with the module and verified by the built-in arithmetic and the other way round. */
static void test_ecdsa_round_trips(void **state)
{
    struct fixture *f = *state;
    unsigned char hash[32];

    rng_seed(9);
    for (int round = 0; round < RANDOM_ROUNDS; round++) {
        int sign_with_module = round % 2;
        assert_int_equal(rng(NULL, hash, sizeof(hash)), 0);
        tls_p256_test_set_capable(sign_with_module);
        assert_int_equal(mbedtls_ecp_gen_keypair(&f->grp, &f->d, &f->q, rng, NULL), 0);
        assert_int_equal(mbedtls_ecdsa_sign(&f->grp, &f->sig_r, &f->sig_s, &f->d, hash, sizeof(hash), rng, NULL), 0);
        tls_p256_test_set_capable(!sign_with_module);
        check_signature(&f->grp, &f->q, hash, sizeof(hash), &f->sig_r, &f->sig_s);
        tls_p256_test_set_capable(1);
    }
}

#define FIXTURE_TEST(test) cmocka_unit_test_setup_teardown(test, fixture_setup, fixture_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        FIXTURE_TEST(test_capable_for_p256_only),
        FIXTURE_TEST(test_double),
        FIXTURE_TEST(test_add_mixed),
        FIXTURE_TEST(test_normalize_many),
        FIXTURE_TEST(test_unreduced_coordinates),
        FIXTURE_TEST(test_mul_matches_builtin),
        FIXTURE_TEST(test_muladd_matches_builtin),
        FIXTURE_TEST(test_ecdsa_rfc4754),
        FIXTURE_TEST(test_ecdsa_rfc6979),
        FIXTURE_TEST(test_ecdsa_round_trips),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
