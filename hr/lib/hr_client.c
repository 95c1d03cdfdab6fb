/* HR client library: HR_EXIT_HDL, hrKillGroup, hrGetActorGroup and the hrfexec* family,
   over IPC to the HR controller (without one they behave as for a plain actor); the
   watchdog calls, straight to the kernel (SYS_WATCHDOG). */
#include <hr/hr.h>
#include <hr/proto.h>
#include <reprise/errors.h>
#include <reprise/sys.h>
#include <stdarg.h>

static int hr_port;

/* Calls the HR controller; finds its port again when it changed (after a site restart). */
static long hr_call(uint32_t op, uint32_t w1, struct ipc_bufs *bufs)
{
    struct sys_ipc_ret r = { .status = K_EUNKNOWN };
    for (int attempt = 0; attempt < 2; attempt++) {
        if (hr_port <= 0 || attempt)
            hr_port = (int)sys_call1(SYS_PORT_LOOKUP, PORT_WK_HR);
        if (hr_port < 0)
            return K_EUNKNOWN;
        r = sys_ipc_call(hr_port, op, w1, 0, 0, bufs);
        if (r.status != K_EDEAD && r.status != K_EUNKNOWN)
            break;
    }
    return r.status == K_OK ? (long)(int32_t)r.w[0] : r.status;
}

int HR_EXIT_HDL(void)
{
    long r = hr_call(HR_OP_EXIT_HDL, 0, NULL);
    return r == K_EUNKNOWN ? 0 : (int)r;    /* no controller: nothing is monitored */
}

int hrKillGroup(int groupId)
{
    return (int)hr_call(HR_OP_KILL_GROUP, (uint32_t)groupId, NULL);
}

int hrGetActorGroup(int aid)
{
    long r = hr_call(HR_OP_GET_GROUP, (uint32_t)aid, NULL);
    return r < 0 ? -1 : (int)r;
}

int hrWatchdogStart(unsigned periodMs)
{
    return (int)sys_call2(SYS_WATCHDOG, WATCHDOG_START, (long)periodMs);
}

int hrWatchdogKick(void)
{
    return (int)sys_call2(SYS_WATCHDOG, WATCHDOG_KICK, 0);
}

int hrWatchdogStop(void)
{
    return (int)sys_call2(SYS_WATCHDOG, WATCHDOG_STOP, 0);
}

int hrfexecve(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
              char *const argv[], char *const envp[])
{
    static struct hr_exec_req req;
    (void)param;
    (void)envp;   /* actors have no environment */
    memset(&req, 0, HR_EXEC_REQ_HEAD);     /* the request ends with its arguments */
    if (!baseName)
        return K_EINVAL;
    if (sys_user_copy(&req.base, baseName, sizeof(req.base)))
        return K_EFAULT;
    if (!path || !argv)
        return K_EINVAL;
    size_t n = strnlen(path, sizeof(req.image));
    if (n == 0 || n == sizeof(req.image))
        return K_EINVAL;
    memcpy(req.image, path, n);
    for (uint32_t i = 0; argv[i]; i++) {
        size_t l = strlen(argv[i]) + 1;
        if (i >= ACTOR_ARGC_MAX || req.args_len + l > sizeof(req.args))
            return K_EINVAL;
        memcpy(req.args + req.args_len, argv[i], l);
        req.args_len += (uint32_t)l;
        req.argc++;
    }
    struct ipc_bufs b = { &req, HR_EXEC_REQ_HEAD + req.args_len, 0, 0, 0 };
    long aid = hr_call(HR_OP_FEXEC, 0, &b);
    if (aid < 0)
        return (int)aid;
    if (cactorcap)
        cactorcap->aid = (int)aid;
    return K_OK;
}

int hrfexecv(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
             char *const argv[])
{
    return hrfexecve(baseName, path, cactorcap, param, argv, NULL);
}

/* Images are found by name, so the "p" variants (search a path) are the same calls. */
int hrfexecvp(PmmName *baseName, const char *file, KnCap *cactorcap, const AcParam *param,
              char *const argv[])
{
    return hrfexecve(baseName, file, cactorcap, param, argv, NULL);
}

int hrfexecvep(PmmName *baseName, const char *file, KnCap *cactorcap, const AcParam *param,
               char *const argv[], char *const envp[])
{
    return hrfexecve(baseName, file, cactorcap, param, argv, envp);
}

/* The list forms: gathers the NULL-terminated arguments after arg0 (then envp, for the
   "e" form) and calls hrfexecve. */
static int hr_fexec_list(PmmName *baseName, const char *path, KnCap *cactorcap,
                         const AcParam *param, const char *arg0, va_list ap, int with_envp)
{
    char *argv[ACTOR_ARGC_MAX + 1];
    int n = 0;
    for (const char *a = arg0; a; a = va_arg(ap, const char *)) {
        if (n == ACTOR_ARGC_MAX)
            return K_EINVAL;
        argv[n++] = (char *)a;
    }
    argv[n] = NULL;
    char *const *envp = with_envp ? va_arg(ap, char *const *) : NULL;
    return hrfexecve(baseName, path, cactorcap, param, argv, envp);
}

int hrfexecl(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
             const char *arg0, ...)
{
    va_list ap;
    va_start(ap, arg0);
    int r = hr_fexec_list(baseName, path, cactorcap, param, arg0, ap, 0);
    va_end(ap);
    return r;
}

int hrfexeclp(PmmName *baseName, const char *file, KnCap *cactorcap, const AcParam *param,
              const char *arg0, ...)
{
    va_list ap;
    va_start(ap, arg0);
    int r = hr_fexec_list(baseName, file, cactorcap, param, arg0, ap, 0);
    va_end(ap);
    return r;
}

int hrfexecle(PmmName *baseName, const char *path, KnCap *cactorcap, const AcParam *param,
              const char *arg0, ...)
{
    va_list ap;
    va_start(ap, arg0);
    int r = hr_fexec_list(baseName, path, cactorcap, param, arg0, ap, 1);
    va_end(ap);
    return r;
}
