# calc links the full newlib: printf with %g (newlib-nano prints nothing for it).
calc_LIBC := full
