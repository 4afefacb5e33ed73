"""The system-call filter every sandboxed worker runs under, compiled with libseccomp.

The filter allows what Python, numpy and TensorFlow need and refuses (``EPERM``) the calls a
submission could use to reach outside its sandbox or the kernel's attack surface: tracing and
reading other processes (``ptrace``, ``process_vm_readv``...), mounts and namespaces,
``bpf``, keyrings, ``perf_event_open``, kernel modules, ``kexec``, personality changes and the
like. ``clone`` is refused when it asks for a new namespace; ``clone3``, whose flags sit in
memory a filter cannot read, answers ``ENOSYS`` so that the C library falls back to ``clone``.
System calls of another architecture (32-bit calls on x86-64) kill the process.

libseccomp (``libseccomp.so.2``, Debian's ``libseccomp2``) is loaded with :mod:`ctypes`; it
compiles the rules into a BPF program that bubblewrap installs (``bwrap --seccomp FD``) just
before it starts the worker. Nothing here runs inside the sandbox.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
from functools import cache

#: Refused outright, whatever their arguments.
DENIED = (
    "ptrace",
    "process_vm_readv",
    "process_vm_writev",
    "pidfd_getfd",
    "pidfd_send_signal",
    "kcmp",
    "mount",
    "umount2",
    "pivot_root",
    "chroot",
    "move_mount",
    "open_tree",
    "fsopen",
    "fsconfig",
    "fsmount",
    "fspick",
    "mount_setattr",
    "unshare",
    "setns",
    "bpf",
    "keyctl",
    "add_key",
    "request_key",
    "perf_event_open",
    "fanotify_init",
    "userfaultfd",
    "open_by_handle_at",
    "name_to_handle_at",
    "init_module",
    "finit_module",
    "delete_module",
    "kexec_load",
    "kexec_file_load",
    "reboot",
    "swapon",
    "swapoff",
    "syslog",
    "acct",
    "quotactl",
    "quotactl_fd",
    "lookup_dcookie",
    "settimeofday",
    "clock_settime",
    "clock_adjtime",
    "adjtimex",
    "iopl",
    "ioperm",
    "vhangup",
    "io_uring_setup",
    "io_uring_enter",
    "io_uring_register",
    "uselib",
    "nfsservctl",
)
#: ``clone`` flags that make a new namespace: refused.
NAMESPACE_FLAGS = {
    "CLONE_NEWTIME": 0x00000080,
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
#: ``personality(0xffffffff)`` only reads the current personality: allowed.
_PERSONALITY_QUERY = 0xFFFFFFFF

_ACT_ALLOW = 0x7FFF0000
_CMP_NE = 1
_CMP_MASKED_EQ = 7


def _errno_action(number: int) -> int:
    return 0x00050000 | (number & 0xFFFF)


class _ArgumentComparison(ctypes.Structure):
    """libseccomp's ``struct scmp_arg_cmp``."""

    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


class SeccompUnavailable(RuntimeError):
    """libseccomp cannot be loaded or cannot compile the filter; the message says why."""


@cache
def _library() -> ctypes.CDLL:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        library = ctypes.CDLL(name, use_errno=True)
    except OSError as error:
        raise SeccompUnavailable(
            f"libseccomp is not installed ({error}); on Debian: apt-get install libseccomp2"
        ) from None
    library.seccomp_init.restype = ctypes.c_void_p
    library.seccomp_init.argtypes = [ctypes.c_uint32]
    library.seccomp_release.argtypes = [ctypes.c_void_p]
    library.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    library.seccomp_syscall_resolve_name.restype = ctypes.c_int
    library.seccomp_rule_add_array.argtypes = [
        ctypes.c_void_p,
        ctypes.c_uint32,
        ctypes.c_int,
        ctypes.c_uint,
        ctypes.POINTER(_ArgumentComparison),
    ]
    library.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]
    return library


def available() -> str | None:
    """``None`` when the filter can be compiled here, else why not."""
    try:
        compile_filter()
    except SeccompUnavailable as error:
        return str(error)
    return None


@cache
def compile_filter() -> bytes:
    """The filter as a BPF program (what ``bwrap --seccomp`` reads from its file descriptor)."""
    library = _library()
    context = library.seccomp_init(_ACT_ALLOW)
    if not context:
        raise SeccompUnavailable("libseccomp could not create a filter (seccomp_init failed)")
    try:
        denied = _errno_action(errno.EPERM)
        for name in DENIED:
            _add(library, context, name, denied)
        for flag in NAMESPACE_FLAGS.values():
            _add(
                library,
                context,
                "clone",
                denied,
                _ArgumentComparison(0, _CMP_MASKED_EQ, flag, flag),
            )
        _add(library, context, "clone3", _errno_action(errno.ENOSYS))
        _add(
            library,
            context,
            "personality",
            denied,
            _ArgumentComparison(0, _CMP_NE, _PERSONALITY_QUERY, 0),
        )
        read, write = os.pipe()
        try:
            result = library.seccomp_export_bpf(context, write)
            os.close(write)
            write = -1
            if result != 0:
                raise SeccompUnavailable(f"libseccomp could not export the filter ({-result})")
            chunks = []
            while chunk := os.read(read, 65536):
                chunks.append(chunk)
        finally:
            os.close(read)
            if write >= 0:
                os.close(write)
        return b"".join(chunks)
    finally:
        library.seccomp_release(context)


def _add(
    library: ctypes.CDLL,
    context: int,
    name: str,
    action: int,
    *comparisons: _ArgumentComparison,
) -> None:
    number = library.seccomp_syscall_resolve_name(name.encode())
    if number < 0:
        return  # not a system call on this architecture (iopl on arm64, say)
    array = (_ArgumentComparison * len(comparisons))(*comparisons) if comparisons else None
    result = library.seccomp_rule_add_array(context, action, number, len(comparisons), array)
    if result != 0:
        raise SeccompUnavailable(f"libseccomp refused the rule for {name} ({-result})")
