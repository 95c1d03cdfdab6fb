/* Test actor for console input: reads lines from stdin and prints each one back, until end
 * of file or a failed read. "echoer raw" reads raw (no echo, no editing) and prints the
 * codes of the bytes each read gave. Transcript:
 *   echoer: ready                        then, a line read:
 *   echoer: [<line>] <n> characters      or, raw: "echoer: raw <hex> <hex> ..."
 *   echoer: end of file                  (ctrl-D), then it exits with status 0
 *   echoer: read failed: <errno name>    (ctrl-C gave the console back), then it keeps
 *                                        running (asleep) until it is killed */
#include <chorus.h>
#include <errno.h>
#include <reprise/sys.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Raw reads until one fails; returns 0 (a raw read never sees an end of file). */
static int echoer_raw(void)
{
    char buf[64];
    sys_call1(SYS_CONSOLE_MODE, CONSOLE_MODE_RAW);
    printf("echoer: ready\n");
    for (;;) {
        long n = read(0, buf, sizeof(buf));
        if (n <= 0)
            return 0;
        char line[3 * sizeof(buf) + 1];
        for (long i = 0; i < n; i++)
            snprintf(line + 3 * i, 4, " %02x", (unsigned char)buf[i]);
        printf("echoer: raw%s\n", line);
    }
}

int main(int argc, char **argv)
{
    static char line[2048];
    int eof = 0;
    if (argc > 1 && strcmp(argv[1], "raw") == 0) {
        eof = echoer_raw();
    } else {
        printf("echoer: ready\n");
        while (fgets(line, sizeof(line), stdin)) {
            line[strcspn(line, "\n")] = '\0';
            printf("echoer: [%s] %u characters\n", line, (unsigned)strlen(line));
        }
        eof = !ferror(stdin);
    }
    if (eof) {
        printf("echoer: end of file\n");
        return 0;
    }
    printf("echoer: read failed: %s\n", errno == EBUSY ? "EBUSY" : strerror(errno));
    for (;;)
        threadDelay(K_NOTIMEOUT);
}
