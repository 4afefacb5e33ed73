"""Inside the worker: noticing a submission that tampers with the grading machinery.

The probes run in the submission's own interpreter, so a submission could rewrite them (or
the libraries they rely on) and forge what they report. Two watches make that visible; both
are installed before the submission is imported and report *findings*, sentences that reach
the grading process with every reply. A finding turns every later check into ``integrity``
(no points), and the report, gradebook and export say so.

1. An audit hook (PEP 578: it cannot be removed once added) refuses, with a
   ``PermissionError``, the introspection a submission needs to reach the worker's own
   objects when the submission's code asks for it, directly or through ``inspect`` and
   ``traceback``: frames (``sys._getframe``, ``tb_frame``, ``gi_frame``...), the garbage
   collector's object lists, ``ctypes``, tracing and profiling hooks, new audit hooks,
   importing ``course``, building code or functions from raw parts, compiling code under
   another file's name, and opening ``/proc/*/mem``. Libraries (Keras, TensorFlow, numpy,
   the standard library) doing the same on their own behalf are left alone.
2. A snapshot of the course's modules (their globals, functions' code, defaults and
   closures, classes' attributes), of ``sys.modules`` entries and import hooks, of
   ``builtins``, and of the library objects the probes rely on (``keras.Model``,
   ``tf.function``...) is compared after the import and after every request: anything
   replaced is a finding.

This is a tripwire, not a wall: code that writes raw memory (numpy's array interface over an
address) can get past it. That is why checks rest on evidence the grading process verifies
itself (rebuilt models, outputs it recomputes, data the worker never sees), and why the few
facts only the worker can observe are labelled as such and worth little.
"""

from __future__ import annotations

import builtins
import sys
import threading
from collections.abc import Callable
from types import FunctionType, ModuleType
from typing import Any

#: Events refused when they come from the submission, through introspection helpers too.
_FROM_SUBMISSION = {
    "sys._getframe": "walked the interpreter's call stack (sys._getframe, inspect.stack...)",
    "sys._current_frames": "read every thread's call stack (sys._current_frames)",
    "sys._getframemodulename": "walked the interpreter's call stack",
    "gc.get_objects": "listed the interpreter's objects (gc.get_objects)",
    "gc.get_referrers": "searched the interpreter's objects (gc.get_referrers)",
    "gc.get_referents": "searched the interpreter's objects (gc.get_referents)",
    "sys.settrace": "installed a trace function (sys.settrace)",
    "sys.setprofile": "installed a profile function (sys.setprofile)",
    "sys.addaudithook": "installed an audit hook",
}
#: Events refused when the submission's own line causes them (the import system does the
#: same on the submission's behalf, for every module it imports).
_DIRECTLY_FROM_SUBMISSION = {
    "code.__new__": "built a code object from raw parts",
    "function.__new__": "built a function from a code object",
    "marshal.loads": "loaded raw bytecode (marshal)",
}
#: Attribute reads that hand out frames: refused when the submission's own line reads them.
_FRAME_ATTRIBUTES = frozenset({"tb_frame", "gi_frame", "cr_frame", "ag_frame", "f_back"})
#: Modules a submission may not import: the grading machinery itself.
_PROTECTED_PACKAGES = ("course", "_pytest", "pytest", "pluggy")
#: Trusted files whose frames stand in for their caller: asking ``inspect`` for a frame is
#: asking for it yourself.
_HELPER_FILES = ("/inspect.py", "/traceback.py", "/ctypes/", "<frozen importlib", "/importlib/")


class IntegrityError(PermissionError):
    """Raised into the submission's code instead of the introspection it asked for."""


def install(
    *, submission: str, trusted: tuple[str, ...], watched: list[Any]
) -> Callable[[], list[str]]:
    """Start both watches; return the function that lists the findings so far (and compares
    the snapshot afresh).

    Code is trusted when its file lies in one of the ``trusted`` folders (the Python
    installation and the course's worker, all read-only in the sandbox); everything else
    (the submission, code it compiles or writes and imports) is the submission's.
    ``watched``: further objects (classes, modules) to snapshot.
    """
    findings: list[str] = []
    getframe = sys._getframe
    ident = threading.get_ident
    busy: set[int] = set()
    append, add, discard = findings.append, busy.add, busy.discard
    roots = tuple(folder.rstrip("/") + "/" for folder in trusted)
    verdicts: dict[str, bool] = {}

    def untrusted(frame: Any) -> bool:
        name = frame.f_code.co_filename
        verdict = verdicts.get(name)
        if verdict is None:
            verdict = verdicts[name] = _untrusted_file(name, roots)
        return verdict

    def line_of(frame: Any) -> str:
        while frame is not None:
            if frame.f_code.co_filename == submission:
                return f" (line {frame.f_lineno} of your module)"
            frame = frame.f_back
        return ""

    def caller(skip_helpers: bool) -> Any:
        """The first frame outside this module (and, if asked, outside helper modules)."""
        frame: Any = getframe(1)
        while frame is not None:
            if frame.f_code in own:
                frame = frame.f_back
                continue
            name = frame.f_code.co_filename
            if skip_helpers and not untrusted(frame) and any(p in name for p in _HELPER_FILES):
                frame = frame.f_back
                continue
            return frame
        return None

    def from_submission(skip_helpers: bool = True) -> Any:
        frame = caller(skip_helpers)
        return frame if frame is not None and untrusted(frame) else None

    def refuse(what: str, frame: Any) -> None:
        message = what + line_of(frame)
        if message not in findings:
            append(message)
        raise IntegrityError(
            f"the grading sandbox does not allow this: your code {what}. Submissions may not "
            "inspect or change the grader"
        )

    def hook(event: str, args: tuple[Any, ...]) -> None:
        me = ident()
        if me in busy:
            return
        add(me)
        try:
            if event in _FROM_SUBMISSION:
                frame = from_submission()
                if frame is not None:
                    refuse(_FROM_SUBMISSION[event], frame)
            elif event in _DIRECTLY_FROM_SUBMISSION:
                frame = from_submission(skip_helpers=False)
                if frame is not None:
                    refuse(_DIRECTLY_FROM_SUBMISSION[event], frame)
            elif event == "object.__getattr__":
                if len(args) > 1 and args[1] in _FRAME_ATTRIBUTES:
                    frame = from_submission(skip_helpers=False)
                    if frame is not None:
                        refuse(f"read a frame ({args[1]})", frame)
            elif event == "object.__setattr__" or event == "object.__delattr__":
                target = args[0] if args else None
                if isinstance(target, FunctionType) and target.__module__ != "submission":
                    frame = from_submission()
                    if frame is not None:
                        refuse(f"changed the function {target.__qualname__}", frame)
            elif event.startswith("ctypes."):
                frame = from_submission()
                if frame is not None:
                    refuse("used ctypes to reach the interpreter's memory", frame)
            elif event == "import":
                name = str(args[0]) if args else ""
                if name.split(".")[0] in _PROTECTED_PACKAGES:
                    frame = from_submission()
                    if frame is not None:
                        refuse(f"imported the grading machinery ({name})", frame)
            elif event == "compile":
                filename = str(args[1]) if len(args) > 1 else ""
                if filename and not filename.startswith("<") and filename != submission:
                    frame = from_submission(skip_helpers=False)
                    if frame is not None:
                        refuse(f"compiled code under another file's name ({filename})", frame)
            elif event == "open":
                path = str(args[0]) if args else ""
                if path.startswith("/proc/") and path.endswith("/mem"):
                    refuse(f"opened the process's memory ({path})", caller(False))
        finally:
            discard(me)

    own = frozenset(f.__code__ for f in (hook, caller, from_submission, refuse, line_of))
    snapshot = _Snapshot(watched, trusted=lambda name: not _untrusted_file(name, roots))
    sys.addaudithook(hook)

    def check() -> list[str]:
        for change in snapshot.changes():
            if change not in findings:
                append(change)
        return list(findings)

    return check


def _untrusted_file(name: str, roots: tuple[str, ...]) -> bool:
    return not (name.startswith(roots) or name.startswith("<frozen "))


class _Snapshot:
    """Identities of everything the grading machinery in the worker relies on."""

    def __init__(self, watched: list[Any], *, trusted: Callable[[str], bool]) -> None:
        self._trusted = trusted
        self._meta_path = list(sys.meta_path)
        self._path_hooks = list(sys.path_hooks)
        self._path = list(sys.path)
        self._entries: list[tuple[str, Callable[[], Any], Any]] = []
        modules = [m for n, m in sorted(sys.modules.items()) if _protected(n)]
        for module in modules:
            self._module(module)
        self._mapping("builtins", vars(builtins))
        for name in sorted(sys.modules):
            if _protected(name) or name in ("builtins", "sys", "json", "numpy", "tensorflow"):
                self._entry(f"sys.modules[{name!r}]", _getter(sys.modules, name))
        for item in watched:
            if isinstance(item, ModuleType):
                self._module(item, contents=False)
            elif isinstance(item, type):
                self._class(item)

    def _entry(self, what: str, read: Callable[[], Any]) -> None:
        try:
            value = read()
        except Exception:  # something that cannot be read now is not watched
            return
        self._entries.append((what, read, value))

    def _mapping(self, prefix: str, mapping: dict[str, Any]) -> None:
        for key in list(mapping):
            self._entry(f"{prefix}.{key}", _getter(mapping, key))

    def _module(self, module: ModuleType, *, contents: bool = True) -> None:
        """A module's names, its own functions and classes, and (``contents``: the course's
        modules, not libraries with caches of their own) its containers' contents."""
        namespace = vars(module)
        self._mapping(module.__name__, namespace)
        for key, value in list(namespace.items()):
            where = f"{module.__name__}.{key}"
            if isinstance(value, FunctionType) and value.__module__ == module.__name__:
                self._function(where, value)
            elif isinstance(value, type) and value.__module__ == module.__name__:
                self._class(value)
            elif contents and isinstance(value, dict | list | set) and key != "__builtins__":
                self._entry(f"the contents of {where}", _contents(value))

    def _function(self, where: str, function: FunctionType) -> None:
        self._entry(f"{where}.__code__", lambda: function.__code__)
        self._entry(f"{where}.__defaults__", lambda: function.__defaults__)
        self._entry(f"{where}.__kwdefaults__", lambda: function.__kwdefaults__)
        for index, cell in enumerate(function.__closure__ or ()):
            self._entry(f"{where} (closure {index})", _cell(cell))

    def _class(self, cls: type) -> None:
        where = f"{cls.__module__}.{cls.__qualname__}"
        for key, value in list(vars(cls).items()):
            self._entry(f"{where}.{key}", _getter(vars(cls), key))
            if isinstance(value, FunctionType):
                self._function(f"{where}.{key}", value)

    def _import_system(self) -> list[str]:
        """Import hooks and search paths: libraries add their own when they are imported
        (absl, six); the original ones must stay, and anything new must be trusted code, or
        the grading machinery's later imports could load modules of the submission's making.
        """
        found = []
        for name, before, now in (
            ("sys.meta_path", self._meta_path, sys.meta_path),
            ("sys.path_hooks", self._path_hooks, sys.path_hooks),
        ):
            if not _subsequence(before, now):
                found.append(f"removed or reordered the import system's hooks ({name})")
            known = {id(item) for item in before}
            for item in list(now):
                if id(item) in known:
                    continue
                # Read without running anything of the submission's (no attribute lookups
                # a class or module of its making could intercept).
                cls = item if issubclass(type(item), type) else type(item)
                namespace = type.__getattribute__(cls, "__dict__")
                module_name = namespace.get("__module__")
                module = sys.modules.get(module_name) if type(module_name) is str else None
                source = (
                    object.__getattribute__(module, "__dict__").get("__file__")
                    if module is not None
                    else None
                )
                if type(source) is not str or not self._trusted(source):
                    found.append(f"installed an import hook of its own ({name})")
        known_paths = {id(entry) for entry in self._path}
        for entry in list(sys.path):
            if id(entry) in known_paths or (type(entry) is str and entry in self._path):
                continue
            if type(entry) is not str or not self._trusted(entry.rstrip("/") + "/"):
                shown = entry if type(entry) is str else "an object"
                found.append(f"added {shown} to the module search path (sys.path)")
        return found

    def changes(self) -> list[str]:
        found = self._import_system()
        for what, read, value in self._entries:
            try:
                now = read()
            except Exception:
                now = _MISSING
            if now is not value and not _same_contents(now, value):
                found.append(f"replaced {what}")
        return found


_MISSING = object()


def _protected(name: str) -> bool:
    return name.split(".")[0] == "course" or name == "__main__"


def _getter(mapping: Any, key: str) -> Callable[[], Any]:
    return lambda: mapping[key]


def _cell(cell: Any) -> Callable[[], Any]:
    return lambda: cell.cell_contents


def _contents(container: Any) -> Callable[[], Any]:
    if isinstance(container, dict):
        return lambda: _Frozen(tuple((k, id(v)) for k, v in container.items()))
    if isinstance(container, set):
        return lambda: _Frozen(tuple(sorted(id(v) for v in container)))
    return lambda: _Frozen(tuple(id(v) for v in container))


class _Frozen(tuple):  # type: ignore[type-arg]
    """Contents compared by value (a fresh tuple each read)."""


def _subsequence(before: list[Any], now: list[Any]) -> bool:
    """Whether every item of ``before`` is still in ``now``, in the same order."""
    position = 0
    for item in now:
        if position < len(before) and item is before[position]:
            position += 1
    return position == len(before)


def _same_contents(now: Any, before: Any) -> bool:
    return isinstance(now, _Frozen) and isinstance(before, _Frozen) and tuple(now) == tuple(before)
