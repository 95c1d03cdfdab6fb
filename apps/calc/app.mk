calc_LIBC := full
