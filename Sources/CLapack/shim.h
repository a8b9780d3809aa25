#ifndef RICCATIKIT_CLAPACK_SHIM_H
#define RICCATIKIT_CLAPACK_SHIM_H

#include <stdint.h>
#include <cblas.h>
#include <lapacke.h>

// `lapack_int` is a macro, which Swift cannot import; re-export it as a typedef.
// Debian's LAPACKE uses 32-bit integers (LP64), so this is Int32 in Swift.
typedef lapack_int riccatikit_lapack_int;

// The calling thread's SSE control/status register (MXCSR) on x86-64: bit 15 flushes subnormal
// results to zero (FTZ), bit 6 treats subnormal inputs as zero (DAZ). Other architectures: the
// getter returns 0 and the setter does nothing.
static inline uint32_t riccatikit_get_mxcsr(void) {
#if defined(__x86_64__)
    return __builtin_ia32_stmxcsr();
#else
    return 0;
#endif
}

static inline void riccatikit_set_mxcsr(uint32_t value) {
#if defined(__x86_64__)
    __builtin_ia32_ldmxcsr(value);
#else
    (void)value;
#endif
}

#endif
