/* Embeds a system image (built by scripts/mkimage.py) in the kernel's .sysimg section. */
    .section .sysimg, "a"
    .balign 4096
    .incbin SYSIMG_FILE
