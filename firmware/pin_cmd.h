/*
 * pin_cmd.h - the `pin` console command: reads an input's level, and on the native board and under QEMU drives a
 * simulated level into the input layer (board_input_simulate()), where alerts see it as an edge of a real pin and
 * debounce it as one. Real hardware refuses the simulation: its pins follow their wires. Register once at start-up,
 * from the main loop.
 */
#ifndef FIRMWARE_PIN_CMD_H
#define FIRMWARE_PIN_CMD_H

/* Adds `pin` to the console; returns console_register()'s result. */
int pin_cmd_register(void);

#endif /* FIRMWARE_PIN_CMD_H */
