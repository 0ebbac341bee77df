"""Per-run control groups: memory, process and CPU limits, accounting, and killing a run.

Two layouts are supported and detected at start-up:
- cgroup v2 (the unified hierarchy with the memory and pids controllers; most current hosts);
- cgroup v1 (memory, pids, cpuacct and cpu hierarchies), plus the v2 mount of hybrid hosts when
  present, whose `cgroup.kill` and `cgroup.events` then serve for killing and emptiness.
Each slot (v1) or run (v2) gets its own group under a parent that belongs to this engine.
"""

from execbox.sandbox.cgroups.base import CgroupManager, GroupLimits, RunGroup, Usage
from execbox.sandbox.cgroups.detect import detect

__all__ = ["CgroupManager", "GroupLimits", "RunGroup", "Usage", "detect"]
