/* ChorusOS Hot Restart API: restartable actors, restart groups, clean exit (SPEC section 5).
   Calls reach the HR controller over IPC. */
#pragma once
#include <chorus.h>
#include <pmm/chPmm.h>

/* The deletion key of blocks that belong to the caller's restart group: they are freed
   when the group ends cleanly or is killed. */
#define HR_GROUP_KEY        "__SYS_HR_GROUP"
#define HR_GROUP_KEYSIZE    sizeof(HR_GROUP_KEY)
#define HR_GROUP_KEY_SIZE   HR_GROUP_KEYSIZE

/* Registers a clean exit: the next exit() ends monitoring of the caller without a restart.
   In an actor that is not restartable it does nothing and returns 0. */
int HR_EXIT_HDL(void);
/* Kills every member of a group and unregisters it (no restart); frees its HR_GROUP_KEY
   blocks. A group id not in use is not an error. */
int hrKillGroup(int groupId);
/* The restart group of a restartable actor, or -1. */
int hrGetActorGroup(int aid);

/* Watchdogs (Reprise extensions to the ChorusOS API): a check of progress, not of liveness.
   A restartable actor arms its watchdog with a period and kicks it, from the loop whose
   progress it proves, at least once a period; a period without a kick ends the actor
   abnormally, as a fault would ("hang: no watchdog kick for N ms" in HR's crash line and
   crash log), and its group restarts under the restart policy. It fires when the period
   has passed (at most one scheduler tick late: 10 ms on virt), whether the actor
   spins, sleeps or waits in IPC. A kick is one system call with no IPC. A new incarnation
   starts with no watchdog: arm it again in main. `aps` shows armed watchdogs.
   hrWatchdogStart arms or re-arms it (the period starts now): K_OK, K_EINVAL for a period
   of 0 or above WATCHDOG_PERIOD_MAX_MS (one hour), K_EPRIV for an actor that is not
   restartable (no HR would restart it). hrWatchdogKick starts the period again and
   hrWatchdogStop disarms it: K_OK, or K_EINVAL when no watchdog is armed. */
int hrWatchdogStart(unsigned periodMs);
int hrWatchdogKick(void);
int hrWatchdogStop(void);

/* Spawn an indirect restartable actor from the image `path` into the caller's group;
   baseName is its persistent name (medium "RAM"), unique in the group. Only a restartable
   actor may call them (else K_EPRIV). The new actor's capability goes to *cactorcap (may
   be NULL); param may be NULL. They return K_OK or a K_E* code: K_EINVAL for a bad name
   or image, K_EEXIST for a name in use, K_EUNKNOWN for an image not in the system image. */
int hrfexecl(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
             const char *arg0, ... /* NULL */);
int hrfexecv(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
             char *const argv[]);
int hrfexecle(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
              const char *arg0, ... /* NULL, char *const envp[] */);
int hrfexecve(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
              char *const argv[], char *const envp[]);
int hrfexeclp(PmmName *baseName, const char *file, KnCap *cactorcap, const AcParam *param,
              const char *arg0, ... /* NULL */);
int hrfexecvp(PmmName *baseName, const char *file, KnCap *cactorcap, const AcParam *param,
              char *const argv[]);
int hrfexecvep(PmmName *baseName, const char *file, KnCap *cactorcap, const AcParam *param,
               char *const argv[], char *const envp[]);
