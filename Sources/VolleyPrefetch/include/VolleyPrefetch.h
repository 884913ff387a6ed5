#ifndef VOLLEY_PREFETCH_H
#define VOLLEY_PREFETCH_H
/// A hint to the CPU to start loading the cache line holding `p` for writing (keep in all
/// cache levels): for data only the calling thread writes. Swift has no prefetch intrinsic; this header-only function is inlined into
/// Swift callers by the Clang importer. It never faults, whatever the address.
static inline __attribute__((always_inline)) void volley_prefetch(const void *p) {
    __builtin_prefetch(p, 1, 3);
}

/// A hint to the CPU to start loading the cache line holding `p` for reading (keep in all cache
/// levels): for data several threads read and none writes, such as a synapse graph's target
/// indices — a prefetch for writing would take the line away from the other cores' caches.
static inline __attribute__((always_inline)) void volley_prefetch_read(const void *p) {
    __builtin_prefetch(p, 0, 3);
}

/// A hint to the CPU that the caller is spinning on a memory location (x86 `pause`, ARM
/// `yield`): it saves power and frees the core's shared resources while a thread waits for
/// another (`ThreadTeam`). Swift has no such intrinsic either.
static inline __attribute__((always_inline)) void volley_spin_hint(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}
#endif
