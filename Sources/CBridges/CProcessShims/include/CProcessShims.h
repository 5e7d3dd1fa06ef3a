#ifndef PIXELPIPE_CPROCESSSHIMS_H
#define PIXELPIPE_CPROCESSSHIMS_H

#include <sys/types.h>

/// Asks the kernel to send `signal` to the calling process when the thread that created it
/// exits (prctl(PR_SET_PDEATHSIG), which Swift cannot call: prctl is variadic). The setting
/// survives execve. Returns 0, or -1 with errno set.
int pixelpipe_set_parent_death_signal(int signal);

#endif
