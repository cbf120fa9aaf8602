/*
 * units - the time units and ARRAY_SIZE every layer uses, defined once.
 *
 * The units are unsigned int: a signed 64-bit time (a UTC date before 1970, a difference of two clocks) stays signed
 * in arithmetic with them, and an unsigned 64-bit time (the system timer's microseconds) stays 64-bit. A 32-bit
 * count of seconds or milliseconds must be cast to uint64_t before it is multiplied into microseconds.
 *
 * Rules: macros only; lib/ includes nothing of ours.
 */
#ifndef LIB_UNITS_H
#define LIB_UNITS_H

#define NS_PER_US  1000u
#define NS_PER_MS  1000000u
#define NS_PER_S   1000000000u
#define US_PER_MS  1000u
#define US_PER_S   1000000u
#define MS_PER_S   1000u
#define S_PER_MIN  60u
#define S_PER_HOUR 3600u
#define S_PER_DAY  86400u
#define MS_PER_MIN (S_PER_MIN * MS_PER_S)

/* The number of elements of an array (not a pointer: sizeof would then give the pointer's size). */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* LIB_UNITS_H */
