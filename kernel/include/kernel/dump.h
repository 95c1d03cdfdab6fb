/* Post-mortem dumps: the registers and the top of the stack of a restartable actor that ended
   abnormally, kept by the kernel from its end until HR collects them (SYS_ACTOR_DUMP). */
#pragma once
#include <kernel/actor.h>

/* Keeps the dump of actor a, which ends with record rec for the fault port: its registers,
   and the pool pages that hold BOARD_HR_DUMP_STACK bytes of its stack from sp, taken out of
   its address space rather than copied (a dump costs the restart path no copy). Called by
   actor_end before the space is torn down; with 8 dumps kept already, the oldest goes. */
void dump_capture(struct actor *a, const struct fault_record *rec);

/* SYS_ACTOR_DUMP: copies a kept dump to the caller and forgets it (its pages go back to the
   pool). Sets the caller's result. */
void dump_sys_take(struct actor *self);

/* Pages kept for dumps: they count as free (page_free_count), since the pool takes them back
   when it runs out. */
uint32_t dump_pages_kept(void);

/* Gives the stack pages of the oldest kept dump that has any back to the pool (the dump keeps
   its registers, without stack). Called by page_alloc when the pool is down to what its
   caller may not touch (page_reclaim): a dump never
   costs an actor memory. Returns 1 when it freed pages, 0 when no dump holds any. */
int dump_reclaim(void);
