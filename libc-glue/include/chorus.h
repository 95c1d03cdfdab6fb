/* ChorusOS kernel API for Reprise actors: types, K_* error codes, actor, time and memory calls.
 *
 * As in ChorusOS, <chorus.h> brings the whole kernel API (<mem/chMem.h> included) and the C
 * library's <stdlib.h>, <string.h> and <strings.h>, so programs written for ChorusOS find
 * exit, strcpy and bzero without naming those headers. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <reprise/errors.h>
#include <mem/chMem.h>

typedef int KnError;              /* K_OK or a negative K_E* code */

/* An actor capability. Here it is the actor id; a restarted actor gets a new one. */
struct KnCap {
    int aid;
};

#define K_MYACTOR    ((KnCap *)0)  /* the calling actor */
#define K_MYprocess  K_MYACTOR

/* A time interval or date, as ChorusOS sysTime and threadDelay use it. */
typedef struct {
    long tmSec;
    long tmNSec;                  /* 0..999999999 */
} KnTimeVal;

#define K_NOTIMEOUT  ((KnTimeVal *)0)   /* threadDelay: wait for ever */
#define K_NOBLOCK    ((KnTimeVal *)-1)  /* threadDelay: do not wait, yield the processor */

/* Parameters of a new actor (hrfexec*, ChorusOS acreate/afexec); every field is optional. */
typedef struct {
    int acSite;                   /* ignored: the local site */
    int acFlags;                  /* ignored */
    char *acStdin;                /* ignored: the console */
    char *acStdout;               /* ignored: the console */
    char *acStderr;               /* ignored: the console */
    char *acCurdir;               /* ignored: no file system */
    char *acRootdir;              /* ignored: no file system */
    void *acCred;                 /* ignored */
} AcParam;

/* actorSelf: store the caller's capability in *actorCap; K_OK, or K_EFAULT for a pointer
 * that is not the caller's writable memory (NULL included). */
int actorSelf(KnCap *actorCap);
/* agetId: the caller's actor id (as getpid() returns it). */
int agetId(void);
/* actorDelete: kill an actor (K_MYACTOR: the caller, which does not return); K_OK or K_E*. */
int actorDelete(KnCap *actorCap);
/* threadDelay: sleep for *waitLimit (K_NOTIMEOUT: for ever, K_NOBLOCK: just yield);
 * returns K_ETIMEOUT once the time has passed, as ChorusOS does, K_EINVAL for a bad
 * interval, or K_EFAULT when waitLimit is not readable. */
int threadDelay(KnTimeVal *waitLimit);
/* kErrorName (a Reprise extension): the name of a K_OK or K_E* code, e.g. "K_EFAULT" for
 * K_EFAULT, for messages; "K_E?" for a value that is no such code. */
const char *kErrorName(int err);
/* sysTime: the time since the machine started, from the generic timer; K_OK or K_EFAULT. */
int sysTime(KnTimeVal *time);
