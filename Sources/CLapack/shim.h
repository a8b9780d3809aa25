#ifndef RICCATIKIT_CLAPACK_SHIM_H
#define RICCATIKIT_CLAPACK_SHIM_H

#include <stdint.h>
#include <cblas.h>
#include <lapacke.h>

// `lapack_int` is a macro, which Swift cannot import; re-export it as a typedef.
// Debian's LAPACKE uses 32-bit integers (LP64), so this is Int32 in Swift.
typedef lapack_int riccatikit_lapack_int;

#endif
