#!/bin/sh
# Entry point of the worker image (docker/Dockerfile.worker): prepares what the sandbox engine
# needs from its container, then replaces itself with the command (`execbox worker`).
#
#  1. Writable cgroups, confined to this container. Docker mounts the cgroup filesystems
#     read-only in a container that is not privileged. With `cgroup: private` (docker-compose.yml)
#     they show only this container's own group and its subtree, so remounting them writable
#     lets the engine create its per-run groups there and nowhere else on the host. (Needs
#     CAP_SYS_ADMIN and AppArmor's `deny mount` lifted: both granted in the compose files.)
#  2. cgroup v2: a group that holds processes cannot hand controllers to child groups (the
#     "no internal processes" rule), and inside a cgroup namespace the container's own group
#     looks like the root but is not one to the kernel. So every process moves to a leaf,
#     `init`, and the container's group enables memory, pids and cpu for its children. The
#     engine then delegates `init` to itself (execbox/sandbox/cgroups/v2.py). Docker's own
#     docker-in-docker image (moby hack/dind) does the same.
#  3. Slot uids no other worker on this host uses. Without a user namespace a uid is the same
#     uid in every container, and the kernel counts some limits per uid (RLIMIT_NPROC, inotify
#     instances, pipe buffers), so two workers running runs as the same slot uid would share
#     them. Every worker holds, for its whole life, the lock of the first free range of slot
#     uids (SANDBOX_FIRST_UID + n * SANDBOX_UID_STRIDE) in /run/execbox, a volume all workers
#     of a host share; the engine's own per-uid locks live in the same directory, so an overlap
#     that slips through anyway is refused at start-up rather than shared.
set -eu

cgroup_root=/sys/fs/cgroup
lock_dir=/run/execbox

# 1. Every cgroup mount (v2, or the v1 controllers and the hybrid unified mount) made writable.
#    mountinfo: field 5 is the mount point; the file system type follows the " - " separator.
awk '{ for (i = 7; i <= NF; i++) if ($i == "-") { if ($(i + 1) ~ /^cgroup2?$/) print $5; break } }' \
    /proc/self/mountinfo |
    while read -r mount_point; do
        if [ ! -w "$mount_point" ]; then
            mount -o remount,bind,rw "$mount_point"
        fi
    done

# 2. cgroup v2 with our own processes in the container's group: move them to a leaf.
if [ -f "$cgroup_root/cgroup.controllers" ] && grep -qx "$$" "$cgroup_root/cgroup.procs"; then
    mkdir -p "$cgroup_root/init"
    # The whole list first: the file changes while processes leave.
    pids=$(cat "$cgroup_root/cgroup.procs")
    for pid in $pids; do
        # A process may have exited meanwhile.
        echo "$pid" >"$cgroup_root/init/cgroup.procs" 2>/dev/null || true
    done
    controllers=""
    for controller in memory pids cpu; do
        if grep -qw "$controller" "$cgroup_root/cgroup.controllers"; then
            controllers="$controllers +$controller"
        fi
    done
    echo "$controllers" >"$cgroup_root/cgroup.subtree_control"
fi

# 3. The first free range of slot uids, locked on descriptor 9, which the worker inherits and
#    keeps open (the engine starts its sandboxes with every other descriptor closed).
base=${SANDBOX_FIRST_UID:-64000}
stride=${SANDBOX_UID_STRIDE:-1000}
ranges=${SANDBOX_UID_RANGES:-32}
mkdir -p "$lock_dir"
chmod 0700 "$lock_dir"
n=0
while :; do
    first=$((base + n * stride))
    exec 9>"$lock_dir/range-$first.lock"
    if flock -n 9; then
        break
    fi
    exec 9>&-
    n=$((n + 1))
    if [ "$n" -ge "$ranges" ]; then
        echo "execbox-worker: all $ranges slot uid ranges from $base (every $stride) are taken by" \
            "other workers on this host: run fewer workers here or raise SANDBOX_UID_RANGES" >&2
        exit 1
    fi
done
export SANDBOX_FIRST_UID="$first"
echo "execbox-worker: slot uids from $first (range $n of this host)" >&2

exec "$@"
