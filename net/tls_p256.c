/*
 * tls_p256.c - P-256 point arithmetic for Mbed TLS on fiat-crypto's field code (net/tls_p256.h says what for).
 *
 * Each hook reads the coordinates into fiat's Montgomery domain, follows the formula of the ecp.c function it
 * replaces step for step (each step reduced mod p, as Mbed TLS's modular operations do), and writes the results back
 * in [0, p). The results are therefore the same numbers ecp.c computes: the comb method's tables, its side-channel
 * countermeasures and every later comparison see no difference.
 */

/* The hooks stand in for ecp.c's own static functions and, like them, read and write the coordinates' limbs. */
#define MBEDTLS_ALLOW_PRIVATE_ACCESS

#include "net/tls_p256.h"

#include <string.h>

#include "mbedtls/bignum.h"
#include "mbedtls/ecp.h"
#include "mbedtls/platform.h"
#include "mbedtls/platform_util.h"

/* Mbed TLS calls the hooks only when its configuration names them; a configuration without them would leave this
 * file linked and unused. */
#if !defined(MBEDTLS_ECP_INTERNAL_ALT) || !defined(MBEDTLS_ECP_DOUBLE_JAC_ALT) ||     \
    !defined(MBEDTLS_ECP_ADD_MIXED_ALT) || !defined(MBEDTLS_ECP_NORMALIZE_JAC_ALT) || \
    !defined(MBEDTLS_ECP_NORMALIZE_JAC_MANY_ALT)
#error "net/mbedtls_config.h must define MBEDTLS_ECP_INTERNAL_ALT and the four hooks net/tls_p256.c implements"
#endif

/* The hooks' prototypes: a private header of Mbed TLS, included from the repository root so that no other private
 * header of Mbed TLS's library/ can be picked up by a bare name. */
#include "third_party/mbedtls/library/ecp_internal_alt.h"

/* fiat's field elements are arrays of machine words, and so are Mbed TLS's bignums (mbedtls_mpi_uint, 64 bits where
 * the compiler has a 128-bit product, 32 bits on the ARM boards): with the same word size the limbs copy as they are.
 * p256_64.h needs unsigned __int128. */
#if defined(MBEDTLS_HAVE_INT64)
#if !defined(__SIZEOF_INT128__)
#error "64-bit bignum limbs without unsigned __int128: fiat's p256_64.h cannot be used"
#endif
#include "third_party/fiat/p256_64.h"
#define P256_LIMBS 4
#else
#include "third_party/fiat/p256_32.h"
#define P256_LIMBS 8
#endif

_Static_assert(sizeof(fiat_p256_montgomery_domain_field_element) == P256_LIMBS * sizeof(mbedtls_mpi_uint),
               "fiat's limbs and Mbed TLS's bignum limbs must be the same size");

/* A field element in fiat's Montgomery domain (a * 2^256 mod p), always in [0, p). */
typedef fiat_p256_montgomery_domain_field_element p256_fe;
/* A field element as it is (and as Mbed TLS's limbs hold it), in [0, p). */
typedef fiat_p256_non_montgomery_domain_field_element p256_plain;

/* A point in Jacobian coordinates (X / Z^2, Y / Z^3); Z == 0 is the point at infinity. */
struct p256_jac {
    p256_fe x, y, z;
};

#if defined(TLS_P256_TESTING)
static int p256_capable = 1;

void tls_p256_test_set_capable(int on)
{
    p256_capable = on;
}
#else
#define p256_capable 1
#endif

static int p256_fe_load(const mbedtls_ecp_group *grp, p256_plain out, const mbedtls_mpi *a);

/* The rare path of p256_fe_load: a negative value or one above 256 bits is reduced mod p, as the built-in modular
 * operations would reduce it. ecp.c never hands one over (see p256_fe_load). */
static int p256_fe_load_reduced(const mbedtls_ecp_group *grp, p256_plain out, const mbedtls_mpi *a)
{
    mbedtls_mpi r;
    mbedtls_mpi_init(&r);
    int ret = mbedtls_mpi_mod_mpi(&r, a, &grp->P);
    if (ret == 0) {
        ret = p256_fe_load(grp, out, &r);
    }
    mbedtls_mpi_free(&r);
    return ret;
}

/*
 * Reads a coordinate's value into [0, p), which fiat requires of its inputs. Mbed TLS keeps coordinates there: its
 * modular operations (ecp.c's mbedtls_mpi_mul_mod, add_mod, sub_mod and the conditional negation) reduce fully, and
 * mbedtls_ecp_check_pubkey() refuses points with X or Y >= p before any multiplication. A value in [p, 2^256) is
 * still brought down, without a branch on it (it is below 2p, so one subtraction does).
 */
static int p256_fe_load(const mbedtls_ecp_group *grp, p256_plain out, const mbedtls_mpi *a)
{
    p256_plain d;
    mbedtls_mpi_uint high = 0, borrow = 0;
    size_t i;

    for (i = 0; i < a->n; i++) {
        if (i < P256_LIMBS) {
            out[i] = a->p[i];
        } else {
            high |= a->p[i];
        }
    }
    for (; i < P256_LIMBS; i++) {
        out[i] = 0;
    }
    if (a->s < 0 || high != 0) {
        return p256_fe_load_reduced(grp, out, a);
    }
    for (i = 0; i < P256_LIMBS; i++) {
        mbedtls_mpi_uint p = grp->P.p[i];
        mbedtls_mpi_uint t = out[i] - p;
        mbedtls_mpi_uint b = (mbedtls_mpi_uint)(out[i] < p) | (mbedtls_mpi_uint)(t < borrow);
        d[i] = t - borrow;
        borrow = b;
    }
    /* No borrow: the value is >= p, and the difference is the value mod p. */
    fiat_p256_selectznz(out, (fiat_p256_uint1)(1 - borrow), out, d);
    return 0;
}

/* Reads a coordinate into the Montgomery domain. */
static int p256_fe_from_mpi(const mbedtls_ecp_group *grp, p256_fe out, const mbedtls_mpi *a)
{
    p256_plain v;
    int ret = p256_fe_load(grp, v, a);
    if (ret == 0) {
        fiat_p256_to_montgomery(out, v);
    }
    return ret;
}

/*
 * The last point written back, in both forms. ecp.c's comb method feeds each result straight into the next step
 * (R = 2R, R = R + T[i], the table's chains of doublings), so most points read are the last one written; finding it
 * here saves converting its three coordinates into the Montgomery domain again, a fifth of a doubling's cost. The
 * match is on the values themselves, so a stale entry can never be used for another point, and it is compared in
 * constant time over all limbs. Mbed TLS brackets its multiplications with mbedtls_internal_ecp_init() and _free(),
 * which clear it, so no intermediate coordinates of a secret scalar's multiplication stay behind. A single
 * instance: Mbed TLS runs without threads here (MBEDTLS_THREADING_C is off, checked below).
 */
#if defined(MBEDTLS_THREADING_C)
#error "tls_p256.c keeps its last point in one static cache: not for a threaded Mbed TLS"
#endif
static struct {
    p256_plain plain[3];
    struct p256_jac mont;
    int valid;
} p256_last;

static void p256_last_clear(void)
{
    mbedtls_platform_zeroize(&p256_last, sizeof(p256_last));
}

static int p256_jac_from_point(const mbedtls_ecp_group *grp, struct p256_jac *out, const mbedtls_ecp_point *pt)
{
    p256_plain v[3];
    mbedtls_mpi_uint diff = 0;
    size_t c, i;
    int ret;

    if ((ret = p256_fe_load(grp, v[0], &pt->X)) != 0 || (ret = p256_fe_load(grp, v[1], &pt->Y)) != 0 ||
        (ret = p256_fe_load(grp, v[2], &pt->Z)) != 0) {
        return ret;
    }
    for (c = 0; c < 3; c++) {
        for (i = 0; i < P256_LIMBS; i++) {
            diff |= v[c][i] ^ p256_last.plain[c][i];
        }
    }
    if (p256_last.valid && diff == 0) {
        *out = p256_last.mont;
        return 0;
    }
    fiat_p256_to_montgomery(out->x, v[0]);
    fiat_p256_to_montgomery(out->y, v[1]);
    fiat_p256_to_montgomery(out->z, v[2]);
    return 0;
}

/* Writes a coordinate back as a non-negative bignum in [0, p), growing it to the field's size if needed. */
static int p256_plain_to_mpi(mbedtls_mpi *x, const p256_plain v)
{
    int ret = mbedtls_mpi_grow(x, P256_LIMBS);
    if (ret != 0) {
        return ret;
    }
    memcpy(x->p, v, sizeof(p256_plain));
    memset(x->p + P256_LIMBS, 0, (x->n - P256_LIMBS) * sizeof(mbedtls_mpi_uint));
    x->s = 1;
    return 0;
}

static int p256_fe_to_mpi(mbedtls_mpi *x, const p256_fe in)
{
    p256_plain v;
    fiat_p256_from_montgomery(v, in);
    return p256_plain_to_mpi(x, v);
}

static int p256_jac_to_point(mbedtls_ecp_point *out, const struct p256_jac *in)
{
    int ret;

    p256_last.valid = 0;
    fiat_p256_from_montgomery(p256_last.plain[0], in->x);
    fiat_p256_from_montgomery(p256_last.plain[1], in->y);
    fiat_p256_from_montgomery(p256_last.plain[2], in->z);
    if ((ret = p256_plain_to_mpi(&out->X, p256_last.plain[0])) != 0 ||
        (ret = p256_plain_to_mpi(&out->Y, p256_last.plain[1])) != 0 ||
        (ret = p256_plain_to_mpi(&out->Z, p256_last.plain[2])) != 0) {
        return ret;
    }
    p256_last.mont = *in;
    p256_last.valid = 1;
    return 0;
}

static int p256_fe_is_zero(const p256_fe a)
{
    mbedtls_mpi_uint nz;
    fiat_p256_nonzero(&nz, a);
    return nz == 0;
}

/* out = a^(2^n) * b: n squarings, then a multiplication. */
static void p256_fe_sqr_mul(p256_fe out, const p256_fe a, unsigned n, const p256_fe b)
{
    p256_fe t;
    memcpy(t, a, sizeof(t));
    while (n-- > 0) {
        fiat_p256_square(t, t);
    }
    fiat_p256_mul(out, t, b);
}

/*
 * out = 1 / a by Fermat's little theorem, a^(p-2) mod p: the same sequence of squarings and multiplications for
 * every a (constant time), about 255 squarings and 12 multiplications. For a == 0 it gives 0.
 * p - 2 = 2^256 - 2^224 + 2^192 + 2^96 - 3 has, from the top, the 32-bit words ffffffff 00000001 00000000 00000000
 * 00000000 ffffffff ffffffff fffffffd; xN below is a^(2^N - 1) (N one bits), built by an addition chain.
 */
static void p256_fe_inv(p256_fe out, const p256_fe a)
{
    p256_fe x2, x3, x6, x12, x15, x30, x32, r;

    p256_fe_sqr_mul(x2, a, 1, a);
    p256_fe_sqr_mul(x3, x2, 1, a);
    p256_fe_sqr_mul(x6, x3, 3, x3);
    p256_fe_sqr_mul(x12, x6, 6, x6);
    p256_fe_sqr_mul(x15, x12, 3, x3);
    p256_fe_sqr_mul(x30, x15, 15, x15);
    p256_fe_sqr_mul(x32, x30, 2, x2);
    /* ffffffff 00000001 */
    p256_fe_sqr_mul(r, x32, 32, a);
    /* 00000000 00000000 00000000 ffffffff */
    p256_fe_sqr_mul(r, r, 96 + 32, x32);
    /* ffffffff */
    p256_fe_sqr_mul(r, r, 32, x32);
    /* fffffffd: 30 ones, a zero, a one */
    p256_fe_sqr_mul(r, r, 30, x30);
    p256_fe_sqr_mul(out, r, 2, a);
}

/*
 * r = 2p in Jacobian coordinates, step for step as Mbed TLS 3.6's ecp_double_jac() for a = -3 (P-256's a): the
 * "dbl-1998-cmo-2" formulas (Explicit-Formulas Database, g1p/auto-shortw-jacobian.html#doubling-dbl-1998-cmo-2) with
 * M = 3 (X + Z^2) (X - Z^2), as in GECC algorithm 3.21. A point at infinity (Z == 0) gives Z == 0 again, as there.
 * r may be p.
 */
static void p256_jac_double(struct p256_jac *r, const struct p256_jac *p)
{
    p256_fe m, s, t, u, t1, t2;

    /* M = 3 (X + Z^2) (X - Z^2) */
    fiat_p256_square(t1, p->z);
    fiat_p256_add(t2, p->x, t1);
    fiat_p256_sub(t1, p->x, t1);
    fiat_p256_mul(t1, t2, t1);
    fiat_p256_add(m, t1, t1);
    fiat_p256_add(m, m, t1);
    /* S = 4 X Y^2 (t2 = 2 Y^2 is kept for U) */
    fiat_p256_square(t2, p->y);
    fiat_p256_add(t2, t2, t2);
    fiat_p256_mul(s, p->x, t2);
    fiat_p256_add(s, s, s);
    /* U = 8 Y^4 */
    fiat_p256_square(u, t2);
    fiat_p256_add(u, u, u);
    /* T = M^2 - 2 S */
    fiat_p256_square(t, m);
    fiat_p256_sub(t, t, s);
    fiat_p256_sub(t, t, s);
    /* Z' = 2 Y Z, before Y is overwritten (r may be p) */
    fiat_p256_mul(r->z, p->y, p->z);
    fiat_p256_add(r->z, r->z, r->z);
    /* Y' = M (S - T) - U, X' = T */
    fiat_p256_sub(s, s, t);
    fiat_p256_mul(s, s, m);
    fiat_p256_sub(r->y, s, u);
    memcpy(r->x, t, sizeof(t));
}

unsigned char mbedtls_internal_ecp_grp_capable(const mbedtls_ecp_group *grp)
{
    return p256_capable && grp->id == MBEDTLS_ECP_DP_SECP256R1 && grp->P.n == P256_LIMBS;
}

int mbedtls_internal_ecp_init(const mbedtls_ecp_group *grp)
{
    (void)grp;
    p256_last_clear();
    return 0;
}

void mbedtls_internal_ecp_free(const mbedtls_ecp_group *grp)
{
    (void)grp;
    p256_last_clear();
}

int mbedtls_internal_ecp_double_jac(const mbedtls_ecp_group *grp, mbedtls_ecp_point *R, const mbedtls_ecp_point *P)
{
    struct p256_jac p;
    int ret = p256_jac_from_point(grp, &p, P);
    if (ret != 0) {
        return ret;
    }
    p256_jac_double(&p, &p);
    return p256_jac_to_point(R, &p);
}

/*
 * R = P + Q with Q affine: GECC algorithm 3.22 (Hankerson, Menezes, Vanstone, "Guide to Elliptic Curve
 * Cryptography"), step for step as Mbed TLS 3.6's ecp_add_mixed(), with its checks and special cases in its order:
 * Q->Z unset is bad input; P at infinity gives Q, Q at infinity gives P; Q->Z other than 1 is bad input; P == Q
 * doubles P; P == -Q gives the point at infinity as mbedtls_ecp_set_zero() writes it.
 */
int mbedtls_internal_ecp_add_mixed(const mbedtls_ecp_group *grp, mbedtls_ecp_point *R, const mbedtls_ecp_point *P,
                                   const mbedtls_ecp_point *Q)
{
    struct p256_jac p, r;
    p256_fe qx, qy, t0, t1, t2, t3;
    int ret;

    if (Q->Z.p == NULL) {
        return MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
    }
    if (mbedtls_mpi_cmp_int(&P->Z, 0) == 0) {
        return mbedtls_ecp_copy(R, Q);
    }
    if (mbedtls_mpi_cmp_int(&Q->Z, 0) == 0) {
        return mbedtls_ecp_copy(R, P);
    }
    if (mbedtls_mpi_cmp_int(&Q->Z, 1) != 0) {
        return MBEDTLS_ERR_ECP_BAD_INPUT_DATA;
    }
    if ((ret = p256_jac_from_point(grp, &p, P)) != 0 || (ret = p256_fe_from_mpi(grp, qx, &Q->X)) != 0 ||
        (ret = p256_fe_from_mpi(grp, qy, &Q->Y)) != 0) {
        return ret;
    }

    /* t0 = X_Q Z_P^2 - X_P, t1 = Y_Q Z_P^3 - Y_P */
    fiat_p256_square(t0, p.z);
    fiat_p256_mul(t1, t0, p.z);
    fiat_p256_mul(t0, t0, qx);
    fiat_p256_mul(t1, t1, qy);
    fiat_p256_sub(t0, t0, p.x);
    fiat_p256_sub(t1, t1, p.y);
    if (p256_fe_is_zero(t0)) {
        if (p256_fe_is_zero(t1)) {
            p256_jac_double(&r, &p);
            return p256_jac_to_point(R, &r);
        }
        return mbedtls_ecp_set_zero(R);
    }

    fiat_p256_mul(r.z, p.z, t0);
    fiat_p256_square(t2, t0);
    fiat_p256_mul(t3, t2, t0);
    fiat_p256_mul(t2, t2, p.x);
    fiat_p256_add(t0, t2, t2);
    /* X = t1^2 - 2 t2 - t3 */
    fiat_p256_square(r.x, t1);
    fiat_p256_sub(r.x, r.x, t0);
    fiat_p256_sub(r.x, r.x, t3);
    /* Y = (t2 - X) t1 - t3 Y_P */
    fiat_p256_sub(t2, t2, r.x);
    fiat_p256_mul(t2, t2, t1);
    fiat_p256_mul(t3, t3, p.y);
    fiat_p256_sub(r.y, t2, t3);
    return p256_jac_to_point(R, &r);
}

/* (X, Y, Z) -> (X / Z^2, Y / Z^3, 1) given 1 / Z; the steps of ecp.c's ecp_normalize_jac() after its inversion. */
static int p256_normalize_with(const mbedtls_ecp_group *grp, mbedtls_ecp_point *pt, const p256_fe zinv)
{
    p256_fe x, y, zinv2;
    int ret;

    if ((ret = p256_fe_from_mpi(grp, x, &pt->X)) != 0 || (ret = p256_fe_from_mpi(grp, y, &pt->Y)) != 0) {
        return ret;
    }
    fiat_p256_mul(y, y, zinv);
    fiat_p256_square(zinv2, zinv);
    fiat_p256_mul(x, x, zinv2);
    fiat_p256_mul(y, y, zinv2);
    if ((ret = p256_fe_to_mpi(&pt->X, x)) != 0 || (ret = p256_fe_to_mpi(&pt->Y, y)) != 0) {
        return ret;
    }
    return mbedtls_mpi_lset(&pt->Z, 1);
}

/* ecp.c has already returned for Z == 0 (the point at infinity stays as it is) before it calls this. */
int mbedtls_internal_ecp_normalize_jac(const mbedtls_ecp_group *grp, mbedtls_ecp_point *pt)
{
    p256_fe z, zinv;
    int ret = p256_fe_from_mpi(grp, z, &pt->Z);
    if (ret != 0) {
        return ret;
    }
    p256_fe_inv(zinv, z);
    return p256_normalize_with(grp, pt, zinv);
}

/*
 * Normalizes t_len >= 2 points with one inversion (Montgomery's trick, as ecp.c's ecp_normalize_jac_many(): Cohen,
 * "A Course in Computational Algebraic Number Theory", algorithm 10.3.4). A point at infinity among them is an error
 * (MBEDTLS_ERR_MPI_NOT_ACCEPTABLE) and no point is changed, as ecp_internal_alt.h specifies; ecp.c's own version in
 * Mbed TLS 3.6.6 does not check (its constant-time inversion leaves an indeterminate value for zero), and
 * ecp_mul_comb() never passes one.
 */
int mbedtls_internal_ecp_normalize_jac_many(const mbedtls_ecp_group *grp, mbedtls_ecp_point *T[], size_t t_len)
{
    p256_fe *c, z, inv, zinv;
    size_t i;
    int ret = 0;

    if (t_len == 0) {
        return 0;
    }
    c = mbedtls_calloc(t_len, sizeof(*c));
    if (c == NULL) {
        return MBEDTLS_ERR_ECP_ALLOC_FAILED;
    }
    /* c[i] = Z_0 ... Z_i */
    for (i = 0; i < t_len && ret == 0; i++) {
        ret = p256_fe_from_mpi(grp, z, &T[i]->Z);
        if (ret == 0 && i == 0) {
            memcpy(c[0], z, sizeof(z));
        } else if (ret == 0) {
            fiat_p256_mul(c[i], c[i - 1], z);
        }
    }
    if (ret == 0 && p256_fe_is_zero(c[t_len - 1])) {
        ret = MBEDTLS_ERR_MPI_NOT_ACCEPTABLE;
    }
    if (ret == 0) {
        p256_fe_inv(inv, c[t_len - 1]);
    }
    /* From the last point down: inv = 1 / (Z_0 ... Z_i), so 1 / Z_i = inv c[i-1], and inv Z_i is the next inv. */
    for (i = t_len; i-- > 0 && ret == 0;) {
        if (i > 0) {
            fiat_p256_mul(zinv, inv, c[i - 1]);
            ret = p256_fe_from_mpi(grp, z, &T[i]->Z);
            fiat_p256_mul(inv, inv, z);
        } else {
            memcpy(zinv, inv, sizeof(inv));
        }
        if (ret == 0) {
            ret = p256_normalize_with(grp, T[i], zinv);
        }
    }
    mbedtls_platform_zeroize(c, t_len * sizeof(*c));
    mbedtls_free(c);
    return ret;
}
