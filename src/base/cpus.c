/* cpus.c — how many CPUs this process may use: its affinity mask, divided
 * among the MPI ranks that share the node. */
#include "ginv.h"

#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

int ginv_cpus_available(void)
{
    long n = 0;
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0) n = CPU_COUNT(&set);
    if (n < 1) n = sysconf(_SC_NPROCESSORS_ONLN);
    /* mpirun: the ranks on this node share its CPUs */
    const char *ls = getenv("OMPI_COMM_WORLD_LOCAL_SIZE");
    long local = ls ? atol(ls) : 1;
    if (local > 1) n /= local;
    return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}
