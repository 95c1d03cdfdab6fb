/* The HR controller's IPC protocol (well-known port PORT_WK_HR), shared by the client
   library, the controller and the console. Word 0 of a request is the operation; the
   reply's word 0 is the status (K_OK, a value >= 0, or K_E*). */
#pragma once
#include <pmm/chPmm.h>
#include <reprise/abi.h>
#include <stddef.h>
#include <stdint.h>

/* HR_OP_RUN w2: the new actor waits until the requester releases it (SYS_ACTOR_RELEASE). */
#define HR_RUN_HELD 1u

enum hr_op {
    HR_OP_EXIT_HDL = 1,     /* the caller's next exit is clean */
    HR_OP_KILL_GROUP,       /* w1: group id */
    HR_OP_GET_GROUP,        /* w1: aid -> w0: group or -1 */
    HR_OP_FEXEC,            /* buf: struct hr_exec_req -> w0: new aid (indirect, caller's group) */
    HR_OP_RUN,              /* w1: group id, w2: HR_RUN_HELD or 0; buf: struct hr_exec_req -> w0: new
                               aid (direct; console) */
    HR_OP_GROUP_INFO,       /* w1: index -> reply buf: struct hr_group_info; K_EUNKNOWN past the end */
    HR_OP_CRASH_INFO,       /* w1: index, oldest first -> reply buf: struct hr_crash_info */
    HR_OP_STATUS,           /* -> reply buf: struct hr_status */
    HR_OP_RESUME,           /* auto-start on again after the loop breaker; starts the registered
                               groups -> w0: how many, K_EINVAL when auto-start is on  [actors] */
    HR_OP_DUMP_INFO,        /* w1: index, oldest first -> reply buf: struct hrdump_header
                               (<hr/dumps.h>); K_EUNKNOWN past the end */
    HR_OP_DUMP_STACK,       /* w1: dump seq, w2: offset -> w0: bytes (at most
                               HR_DUMP_STACK_CHUNK, 0 past the end), reply buf: stack bytes */
};

#define HR_DUMP_STACK_CHUNK 4096

/* A request may end with its argument bytes (args_len of them): what follows is not read. */
struct hr_exec_req {
    PmmName base;                   /* HR_OP_FEXEC: the child's persistent name */
    char image[ACTOR_NAME_MAX];
    uint32_t argc;
    uint32_t args_len;
    char args[ACTOR_ARGS_MAX];      /* argc NUL-terminated strings */
};
#define HR_EXEC_REQ_HEAD offsetof(struct hr_exec_req, args)

/* Whether len bytes received hold request r whole: its head and its argument bytes. */
static inline int hr_exec_req_whole(const struct hr_exec_req *r, uint32_t len)
{
    return len >= HR_EXEC_REQ_HEAD && r->args_len <= len - HR_EXEC_REQ_HEAD;
}

#define HR_GROUP_MEMBERS_MAX 16

enum hr_group_state {
    HR_GROUP_RUNNING = 1,
    HR_GROUP_STOPPED,
    HR_GROUP_ENDED,
    HR_GROUP_WAITING,               /* its restart waits for the backoff (restart_at_ns) */
};

struct hr_member_info {
    int32_t aid;                    /* current incarnation, 0 when not running */
    char name[ACTOR_NAME_MAX];
    uint32_t direct;                /* 1: started with arun -g, 0: hrfexec'd */
    uint32_t clean_exit;            /* HR_EXIT_HDL registered */
};

struct hr_group_info {
    int32_t gid;
    uint32_t state;                 /* enum hr_group_state */
    uint32_t restarts;              /* since the group was registered */
    uint32_t nmembers;
    uint64_t restart_at_ns;         /* HR_GROUP_WAITING: virtual time of the restart */
    struct hr_member_info members[HR_GROUP_MEMBERS_MAX];
};

struct hr_crash_info {
    uint32_t seq;
    uint32_t boot;
    uint64_t time_ns;
    int32_t aid;
    int32_t group;
    char name[ACTOR_NAME_MAX];
    char text[112];                 /* decoded fault */
    char action[48];                /* "restarting group 1 (1/5)", "site restart", ... */
};

struct hr_status {
    uint32_t auto_start;            /* 0: restartable groups not started (crash loop) */
    uint32_t registry_kept;         /* the group registry survived in the bank: after a
                                       warm boot HR restores the groups it holds */
    uint32_t site_restarts;         /* recorded site restarts */
    char reason[96];                /* why auto-start is off, else empty */
};
