#ifndef C_SPAWN_SUPPORT_H
#define C_SPAWN_SUPPORT_H

#include <spawn.h>

// glibc's GNU extensions that Swift's Glibc module does not show (they need _GNU_SOURCE),
// wrapped for the ChildProcesses module. Each returns what the wrapped call returns.

/// posix_spawn_file_actions_addclosefrom_np (glibc 2.34): close every descriptor >= `lowest` in the child.
int spawn_support_add_close_from(posix_spawn_file_actions_t *actions, int lowest);

/// posix_spawn_file_actions_addchdir_np (glibc 2.29): change the child's working directory.
int spawn_support_add_change_directory(posix_spawn_file_actions_t *actions, const char *path);

/// pipe2(descriptors, O_CLOEXEC): a pipe whose two ends are closed on exec.
int spawn_support_close_on_exec_pipe(int descriptors[2]);

#endif
