/* Error codes returned by every system call and by the ChorusOS-compatible libraries. */
#pragma once

#define K_OK        0
#define K_EINVAL   (-1)   /* a bad argument value */
#define K_ENOMEM   (-2)   /* out of memory (pages, bank space) */
#define K_EFAULT   (-3)   /* a pointer argument not mapped, or not writable for an output */
#define K_EUNKNOWN (-4)   /* no such actor, port, image or name */
#define K_EEXIST   (-5)   /* already exists (overlapping region, name taken) */
#define K_EPRIV    (-6)   /* the caller lacks the privilege */
#define K_ETOOMUCH (-7)   /* a table is full */
#define K_EBUSY    (-8)   /* the object is in use */
#define K_ENOTIMP  (-9)   /* unknown system call */
#define K_EDEAD    (-10)  /* the peer died, or its id is stale (the actor was restarted) */
#define K_ETIMEOUT (-11)  /* nothing arrived in time (non-blocking receive) */
#define K_EIO      (-12)  /* a device failed: the NVRAM flash reported a program or erase error */
