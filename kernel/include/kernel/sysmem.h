/* The mapping calls (kernel/sysmem.c), for kernel/syscall.c's table: regions, bank pages,
   board devices. Each sets the caller's r0. */
#pragma once
#include <kernel/actor.h>

void sysmem_rgn_allocate(struct actor *self);
void sysmem_rgn_free(struct actor *self);
void sysmem_bank_map(struct actor *self);
void sysmem_bank_unmap(struct actor *self);
void sysmem_bank_holders(struct actor *self);
void sysmem_bank_sync(struct actor *self);
void sysmem_device_map(struct actor *self);
