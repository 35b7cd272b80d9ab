/* The pcvm program's one way to stop on bad input: one line on stderr,
 * "pcvm: " and the message, and exit status 1 (stdout flushed first so the
 * line comes after whatever the guest printed). */
#ifndef PCVM_DIE_H
#define PCVM_DIE_H

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
_Noreturn void die(const char *fmt, ...);

#endif
