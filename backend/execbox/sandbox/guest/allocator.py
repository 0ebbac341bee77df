"""Where the template's Python objects live: on the malloc heap, so huge pages can back them.

CPython's small-object allocator (pymalloc) takes 1 MiB arenas from mmap, and the kernel
places them between the shared libraries the imports load: ~45 MiB of the template in pieces
too small for a 2 MiB huge page, each of whose 4 KiB pages fork() copies a page-table entry
for and every child's exit frees again. Allocated with malloc instead, the same objects fill
the one contiguous heap, which the template backs with huge pages before it forks.

Only the imports allocate this way: the template puts pymalloc back before it forks, so its
children and the user's program allocate as fast as in a plain interpreter. Mixing is safe
because pymalloc's free and realloc hand any pointer outside its arenas to the raw (malloc)
allocator, as they always do for objects over 512 bytes.
"""

from __future__ import annotations

import ctypes

_DOMAIN_RAW = 0  # PYMEM_DOMAIN_RAW
_DOMAIN_MEM = 1  # PYMEM_DOMAIN_MEM
_DOMAIN_OBJ = 2  # PYMEM_DOMAIN_OBJ


class _PyMemAllocatorEx(ctypes.Structure):
    _fields_ = [
        ("ctx", ctypes.c_void_p),
        ("malloc", ctypes.c_void_p),
        ("calloc", ctypes.c_void_p),
        ("realloc", ctypes.c_void_p),
        ("free", ctypes.c_void_p),
    ]


_pymalloc: dict[int, _PyMemAllocatorEx] = {}


def _get(domain: int) -> _PyMemAllocatorEx:
    allocator = _PyMemAllocatorEx()
    ctypes.pythonapi.PyMem_GetAllocator(domain, ctypes.byref(allocator))
    return allocator


def allocate_from_heap() -> None:
    """New objects come from malloc; those pymalloc already holds are still freed by it."""
    raw = _get(_DOMAIN_RAW)
    for domain in (_DOMAIN_MEM, _DOMAIN_OBJ):
        current = _pymalloc[domain] = _get(domain)
        heap = _PyMemAllocatorEx(current.ctx, raw.malloc, raw.calloc, current.realloc, current.free)
        ctypes.pythonapi.PyMem_SetAllocator(domain, ctypes.byref(heap))


def restore_pymalloc() -> None:
    for domain, allocator in _pymalloc.items():
        ctypes.pythonapi.PyMem_SetAllocator(domain, ctypes.byref(allocator))
