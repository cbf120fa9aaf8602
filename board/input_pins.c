#include "board/input_pins.h"

#include <stddef.h>

#include "lib/wake.h"

/* Every GPIO a header carries is below PI_HEADER_GPIO_LIMIT, and no other one is legal, so state is kept for those
 * alone. */
struct input_pin {
    bool watched;
    int level;           /* the last level recorded: the newest change's, or the level when watching began */
    int simulated_level; /* simulated boards: what the pin reads */
    uint32_t merged;
    unsigned head; /* oldest change */
    unsigned count;
    struct board_input_change changes[BOARD_INPUT_CHANGES_MAX];
};

static const struct input_pins_port *port;
static struct input_pin pins[PI_HEADER_GPIO_LIMIT];

void input_pins_init(const struct input_pins_port *p)
{
    port = p;
    for (unsigned gpio = 0; gpio < PI_HEADER_GPIO_LIMIT; gpio++) {
        pins[gpio] = (struct input_pin){ .watched = false };
    }
}

static uint32_t lock(void)
{
    return port->lock != NULL ? port->lock() : 0;
}

static void unlock(uint32_t saved)
{
    if (port->unlock != NULL) {
        port->unlock(saved);
    }
}

/* The pin's state, or NULL when the board refuses it. */
static struct input_pin *legal_pin(unsigned gpio)
{
    if (port == NULL || pi_header_check(port->header, gpio) != NULL || gpio >= PI_HEADER_GPIO_LIMIT) {
        return NULL;
    }
    return &pins[gpio];
}

/* Records a change to level (!= p->level). Changes alternate, so when the ring is full the newest one has the
 * opposite level and the one before it this level: dropping the newest and moving the one before to `at` keeps
 * the sequence alternating and the last level and its time right. */
static void record(struct input_pin *p, uint64_t at, int level)
{
    if (p->count < BOARD_INPUT_CHANGES_MAX) {
        p->changes[(p->head + p->count) % BOARD_INPUT_CHANGES_MAX] = (struct board_input_change){ at, level };
        p->count++;
    } else {
        p->count--;
        p->changes[(p->head + p->count - 1) % BOARD_INPUT_CHANGES_MAX].at_us = at;
        p->merged += 2;
    }
    p->level = level;
}

void input_pins_edge(unsigned gpio, uint64_t at, int level)
{
    if (gpio >= PI_HEADER_GPIO_LIMIT || !pins[gpio].watched) {
        return;
    }
    struct input_pin *p = &pins[gpio];
    level = level != 0;
    if (level == p->level) {
        record(p, at, !level);
    }
    record(p, at, level);
}

const char *board_input_check(unsigned gpio)
{
    return pi_header_check(port != NULL ? port->header : PI_HEADER_40, gpio);
}

unsigned board_input_header_pin(unsigned gpio)
{
    return pi_header_pin(port != NULL ? port->header : PI_HEADER_40, gpio);
}

/* The resting level a pull gives a pin nothing drives; a pin without pull keeps what it had. */
static int pull_level(enum board_pull pull, int otherwise)
{
    switch (pull) {
    case BOARD_PULL_UP: return 1;
    case BOARD_PULL_DOWN: return 0;
    case BOARD_PULL_NONE:
    default: return otherwise;
    }
}

int board_input_watch(unsigned gpio, enum board_pull pull)
{
    struct input_pin *p = legal_pin(gpio);
    if (p == NULL || (pull != BOARD_PULL_NONE && pull != BOARD_PULL_UP && pull != BOARD_PULL_DOWN)) {
        return BOARD_ERR_INPUT_PIN;
    }
    uint32_t saved = lock();
    p->watched = false;
    unlock(saved);

    if (port->configure != NULL && port->configure(gpio, pull) != 0) {
        return BOARD_ERR_INPUT_PIN;
    }
    saved = lock();
    int level = port->sync != NULL ? port->sync(gpio) : 0;
    if (port->simulated) {
        p->simulated_level = pull_level(pull, p->simulated_level);
        level = p->simulated_level;
    }
    p->level = level != 0;
    p->head = 0;
    p->count = 0;
    p->merged = 0;
    p->watched = true;
    unlock(saved);
    return 0;
}

int board_input_level(unsigned gpio)
{
    struct input_pin *p = legal_pin(gpio);
    if (p == NULL) {
        return BOARD_ERR_INPUT_PIN;
    }
    if (port->simulated || port->level == NULL) {
        return p->simulated_level;
    }
    int level = port->level(gpio);
    return level < 0 ? BOARD_ERR_INPUT_PIN : level;
}

bool board_input_next_change(unsigned gpio, struct board_input_change *c)
{
    struct input_pin *p = legal_pin(gpio);
    if (p == NULL) {
        return false;
    }
    bool taken = false;
    uint32_t saved = lock();
    if (p->watched && p->count > 0) {
        *c = p->changes[p->head];
        p->head = (p->head + 1) % BOARD_INPUT_CHANGES_MAX;
        p->count--;
        taken = true;
    }
    unlock(saved);
    return taken;
}

uint32_t board_input_merged(unsigned gpio)
{
    struct input_pin *p = legal_pin(gpio);
    if (p == NULL) {
        return 0;
    }
    uint32_t saved = lock();
    uint32_t merged = p->watched ? p->merged : 0;
    unlock(saved);
    return merged;
}

int board_input_simulate(unsigned gpio, int level)
{
    struct input_pin *p = legal_pin(gpio);
    if (p == NULL) {
        return BOARD_ERR_INPUT_PIN;
    }
    if (!port->simulated) {
        return BOARD_ERR_NOT_SIMULATED;
    }
    level = level != 0;
    uint64_t now = board_uptime_us();
    uint32_t saved = lock();
    p->simulated_level = level;
    if (p->watched && level != p->level) {
        record(p, now, level);
        wake_now(); /* no interrupt announces a simulated change: the next pass must not sleep past it */
    }
    unlock(saved);
    return 0;
}
