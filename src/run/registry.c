/* registry.c — the table of unit runners: command name -> how one (cell,
 * trial) of that command runs. Built-in runners are listed in `builtin`;
 * library users may add theirs with ginv_unit_register. */
#include "ginv.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

/* Add a command here: define `const ginv_unit_runner ginv_unit_NAME` in
 * src/run/unit_NAME.c, declare it in include/ginv.h, list it below. */
static const ginv_unit_runner *const builtin[] = {
    &ginv_unit_recover,
    &ginv_unit_cs,
    &ginv_unit_sample,
    &ginv_unit_landscape,
};

#define MAX_EXTRA 32
static const ginv_unit_runner *extra[MAX_EXTRA];
static int nextra;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

const ginv_unit_runner *ginv_unit_find(const char *command)
{
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        if (!strcmp(builtin[i]->command, command)) return builtin[i];
    const ginv_unit_runner *r = NULL;
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nextra && !r; i++)
        if (!strcmp(extra[i]->command, command)) r = extra[i];
    pthread_mutex_unlock(&lock);
    return r;
}

ginv_status ginv_unit_register(const ginv_unit_runner *r)
{
    if (!r || !r->command || (!r->params && !r->table) || !r->run)
        return ginv_fail(GINV_ERR_ARG, "a unit runner needs a command, parameter names (params or table) and run()");
    if (ginv_unit_find(r->command))
        return ginv_fail(GINV_ERR_ARG, "a unit runner for '%s' is already registered", r->command);
    pthread_mutex_lock(&lock);
    ginv_status st = GINV_OK;
    if (nextra == MAX_EXTRA) st = ginv_fail(GINV_ERR_ARG, "at most %d runners can be registered", MAX_EXTRA);
    else extra[nextra++] = r;
    pthread_mutex_unlock(&lock);
    return st;
}

const char *ginv_unit_commands(char *buf, size_t len)
{
    if (!len) return buf;
    buf[0] = 0;
    for (size_t i = 0; i < sizeof builtin / sizeof builtin[0]; i++)
        snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "", builtin[i]->command);
    pthread_mutex_lock(&lock);
    for (int i = 0; i < nextra; i++) snprintf(buf + strlen(buf), len - strlen(buf), ", %s", extra[i]->command);
    pthread_mutex_unlock(&lock);
    return buf;
}
