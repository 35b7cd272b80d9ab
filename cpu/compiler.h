/* Small portable compiler helpers shared by the core. */
#ifndef PCVM_COMPILER_H
#define PCVM_COMPILER_H

#if defined(__GNUC__) || defined(__clang__)
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)
#define PCVM_NOINLINE __attribute__((noinline))
#define PCVM_COLD __attribute__((cold))
#else
#define likely(x) (x)
#define unlikely(x) (x)
#define PCVM_NOINLINE
#define PCVM_COLD
#endif

#endif
