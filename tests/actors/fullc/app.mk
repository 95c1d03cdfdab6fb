# fullc links the full newlib: printf with %lld and %f.
fullc_LIBC := full
