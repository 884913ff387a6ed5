#ifndef VOLLEY_PREFETCH_H
#define VOLLEY_PREFETCH_H
/// A hint to the CPU to start loading the cache line holding `p` (for writing, keep in all
/// cache levels). Swift has no prefetch intrinsic; this header-only function is inlined into
/// Swift callers by the Clang importer. It never faults, whatever the address.
static inline __attribute__((always_inline)) void volley_prefetch(const void *p) {
    __builtin_prefetch(p, 1, 3);
}
#endif
