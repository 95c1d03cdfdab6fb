fullc_LIBC := full
