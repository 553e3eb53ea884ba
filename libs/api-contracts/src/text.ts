import { z } from 'zod';

/** Any C0/C1 control character, DEL included (`\p{Cc}`). */
const CONTROL = /\p{Cc}/u;

/**
 * A name on one line (objects, logins, variables): it appears in lists, logs, CSV cells and
 * terminals, where a newline or an ESC sequence would forge a line or repaint the screen.
 */
export function nameText(max: number, min = 1) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((value) => !CONTROL.test(value), { error: 'Control characters are not allowed.' });
}
