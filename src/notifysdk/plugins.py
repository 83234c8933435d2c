"""Plugin discovery and the registry of what plugins registered.

Built-in behaviour is registered first, as plugins (:data:`DEFAULT_PLUGINS`), then the
entry points of group ``notifysdk`` are loaded, lazily and once per plugin manager.

- ``NOTIFYSDK_LOAD_PLUGINS``: a comma-separated allow-list of entry-point plugin names;
  set but empty means none. Built-ins always load.
- ``NOTIFYSDK_DISABLE_PLUGINS``: a comma-separated block list (built-ins included).

An entry-point plugin that fails to import, implements a hook that does not exist (a
misspelt ``notifysdk_register_channel``), declares an argument its hook does not pass,
has a ``notifysdk_*`` function without ``@hookimpl``, or raises (or registers something
invalid) while the registry is built, is *set aside*: recorded with its name and the
reason (``notifysdk plugins`` lists it, a warning is logged once), unregistered, and
every other plugin and command keeps working. A plugin registered by hand
(:meth:`PluginManager.register`) is the caller's code: the same problems raise
:class:`~notifysdk.errors.PluginError` (a name registered twice,
:class:`~notifysdk.errors.DuplicateRegistrationError`, naming both plugins).
"""

from __future__ import annotations

import difflib
import functools
import importlib
import inspect
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pluggy

from . import entrypoints, hookspecs, hooktrace
from .errors import DuplicateRegistrationError, PluginError, PluginLoadError

if TYPE_CHECKING:  # only annotations: the CLI's start-up must not import the models
    from .asgi import AsgiAppFactory
    from .channels import ChannelFactory
    from .ledger.base import LedgerFactory
    from .policy import Profile, Rule
    from .privacy import Detector
    from .webhooks import Webhook

log = logging.getLogger("notifysdk.plugins")

ENTRY_POINT_GROUP = "notifysdk"

DEFAULT_PLUGINS: tuple[str, ...] = (
    "notifysdk.builtin.capture",
    "notifysdk.builtin.ledgers",
    "notifysdk.builtin.ledger_cli",
    "notifysdk.builtin.account_cli",
    "notifysdk.builtin.templates",
    "notifysdk.builtin.detectors",
    "notifysdk.builtin.privacy_cli",
    "notifysdk.builtin.scaffold_cli",
    "notifysdk.builtin.worker_cli",
    "notifysdk.builtin.rules",
    "notifysdk.compliance.plugin",
    "notifysdk.observability.events",
    "notifysdk.selfservice.plugin",
)
"""Modules registered as plugins before any entry point, exactly like third-party ones."""


@dataclass
class PluginInfo:
    """One loaded (or failed) plugin: its name, distribution, version and registrations."""

    name: str
    version: str | None = None
    distribution: str | None = None
    builtin: bool = False
    hooks: list[str] = field(default_factory=list)
    registered: dict[str, list[str]] = field(default_factory=dict)
    error: str | None = None
    entry_point: bool = False
    """Loaded from an entry point (set aside on a problem) rather than registered by hand
    or built in (a problem raises)."""

    def as_dict(self) -> dict[str, Any]:
        """A JSON-ready view (for ``notifysdk plugins --json``)."""
        return {
            "name": self.name,
            "version": self.version,
            "distribution": self.distribution,
            "builtin": self.builtin,
            "hooks": sorted(self.hooks),
            "registered": {k: sorted(v) for k, v in sorted(self.registered.items()) if v},
            "error": self.error,
        }


@dataclass
class Registry:
    """Everything the loaded plugins registered, validated."""

    channels: dict[str, ChannelFactory] = field(default_factory=dict)
    rules: dict[str, Rule] = field(default_factory=dict)
    profiles: dict[str, Profile] = field(default_factory=dict)
    detectors: dict[str, Detector] = field(default_factory=dict)
    template_dirs: list[Path] = field(default_factory=list)
    filters: dict[str, Callable[..., Any]] = field(default_factory=dict)
    ledgers: dict[str, LedgerFactory] = field(default_factory=dict)
    webhooks: dict[str, Webhook] = field(default_factory=dict)
    """Path → handler, mounted by ``notifysdk serve``."""
    asgi_apps: dict[str, AsgiAppFactory] = field(default_factory=dict)
    """Prefix → app factory, mounted by ``notifysdk serve`` (:mod:`notifysdk.asgi`)."""
    owners: dict[tuple[str, str], str] = field(default_factory=dict)
    """(kind, name) → the plugin that registered it."""


def _env_list(name: str) -> list[str] | None:
    raw = os.environ.get(name)
    if raw is None:
        return None
    return [p.strip() for p in raw.split(",") if p.strip()]


class PluginManager:
    """Wraps pluggy's manager: loads built-ins and entry points once, builds the registry."""

    def __init__(
        self, *, load_entry_points: bool = True, builtins: tuple[str, ...] = DEFAULT_PLUGINS
    ) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        if hooktrace.enabled():
            hooktrace.install(self.pm)
        self.infos: dict[str, PluginInfo] = {}
        self._builtins = builtins
        self._load_entry_points = load_entry_points
        self._loaded = False
        self._ready = False
        """Set once :meth:`load` has run to its end (or raised): from then on a caller
        need not take the lock to learn it (another thread's load may be under way
        while ``_loaded`` is already true)."""
        self._registry: Registry | None = None
        self._lock = threading.RLock()

    @property
    def hook(self) -> Any:
        """pluggy's hook relay (``pm.hook.notifysdk_on_outcome(...)``)."""
        if not self._ready:  # read twice per notice (the event hooks): no lock once loaded
            self.load()
        return self.pm.hook

    def load(self) -> None:
        """Register built-ins, then entry-point plugins. Runs once."""
        with self._lock:
            if self._loaded:
                return
            self._loaded = True
            try:
                blocked = set(_env_list("NOTIFYSDK_DISABLE_PLUGINS") or [])
                for modname in self._builtins:
                    if modname in blocked or modname.rsplit(".", 1)[-1] in blocked:
                        continue
                    module = importlib.import_module(modname)
                    self._register_module(module, modname, builtin=True)
                if self._load_entry_points:
                    self._load_from_entry_points(blocked)
            finally:
                self._ready = True

    def _register_module(
        self,
        plugin: object,
        name: str,
        *,
        builtin: bool = False,
        version: str | None = None,
        distribution: str | None = None,
    ) -> None:
        entry_point = distribution is not None
        try:
            self._register_checked(plugin, name)
        except PluginError as exc:
            if not entry_point:
                raise
            self._set_aside(PluginInfo(name, version, distribution, entry_point=True), exc)
            return
        hooks = [h.name for h in self.pm.get_hookcallers(plugin) or []]
        if builtin:
            version = version or sdk_version()
        self.infos[name] = PluginInfo(
            name, version, distribution, builtin, hooks, entry_point=entry_point
        )
        self._registry = None

    def _register_checked(self, plugin: object, name: str) -> None:
        """Register with pluggy, then refuse what pluggy lets through: hooks no spec
        declares, and ``notifysdk_*`` functions that lack ``@hookimpl``."""
        unmarked = [
            attr
            for attr in dir(plugin)
            if attr.startswith(f"{hookspecs.PROJECT}_")
            and self.pm.parse_hookimpl_opts(plugin, attr) is None
            and (inspect.isfunction(f := getattr(plugin, attr, None)) or inspect.ismethod(f))
        ]
        if unmarked:
            raise PluginError(
                f"plugin {name!r}: {', '.join(unmarked)} "
                f"{'is' if len(unmarked) == 1 else 'are'} not marked @hookimpl "
                "(from notifysdk.hookspecs import hookimpl), so it would never be called"
            )
        try:
            self.pm.register(plugin, name=name)
        except pluggy.PluginValidationError as exc:
            raise PluginError(f"plugin {name!r}: {_validation_reason(exc)}") from None
        except ValueError as exc:  # pluggy: the name or the object is registered already
            raise PluginError(f"plugin {name!r}: {str(exc).splitlines()[0]}") from None
        _isolate_events(self.pm, plugin)
        unknown = [
            c.name
            for c in self.pm.get_hookcallers(plugin) or []
            if not c.has_spec()
            and any(i.plugin is plugin and not i.optionalhook for i in c.get_hookimpls())
        ]
        if unknown:
            self.pm.unregister(name=name)
            raise PluginError(f"plugin {name!r}: {'; '.join(map(_unknown_hook, unknown))}")

    def call_commands_hook(self, app: Any) -> None:
        """Call every ``notifysdk_register_commands``; an entry-point plugin whose hook
        raises is set aside (its commands may be half-added: the CLI still starts), a
        built-in's or a hand-registered plugin's error propagates."""
        self.load()
        # reversed: the order pluggy calls them in (the latest registered first)
        for impl in reversed(self.pm.hook.notifysdk_register_commands.get_hookimpls()):
            try:
                impl.function(app=app)
            except Exception as exc:
                info = self.infos.get(impl.plugin_name)
                if info is None or not info.entry_point:
                    raise
                self._set_aside(info, _in_hook("notifysdk_register_commands", exc))

    def _set_aside(self, info: PluginInfo, exc: BaseException) -> None:
        """Record a plugin's problem, log it once and unregister it (if it was)."""
        error = str(exc) if isinstance(exc, PluginError) else f"{type(exc).__name__}: {exc}"
        info.error = error.removeprefix(f"plugin {info.name!r}: ")
        info.registered = {}
        log.warning("plugin %r set aside: %s", info.name, info.error)
        if self.pm.has_plugin(info.name):
            self.pm.unregister(name=info.name)
        self.infos[info.name] = info
        self._registry = None

    def _load_from_entry_points(self, blocked: set[str]) -> None:
        allow = _env_list("NOTIFYSDK_LOAD_PLUGINS")
        for ep in entrypoints.entry_points(ENTRY_POINT_GROUP):
            if ep.name in blocked or (allow is not None and ep.name not in allow):
                continue
            if self.pm.has_plugin(ep.name):
                continue
            version, distribution = ep.version, ep.distribution
            try:
                plugin = ep.load()
            except Exception as exc:  # a broken plugin must not take the SDK down
                err = PluginLoadError(ep.name, exc)
                log.warning("%s", err)
                self.infos[ep.name] = PluginInfo(
                    ep.name,
                    version,
                    distribution,
                    error=f"{type(exc).__name__}: {exc}",
                    entry_point=True,
                )
                continue
            self._register_module(plugin, ep.name, version=version, distribution=distribution)

    def register(self, plugin: object, name: str | None = None) -> str:
        """Register a plugin object (a module or an instance with hookimpls) by hand."""
        self.load()
        name = name or getattr(plugin, "__name__", None) or f"{type(plugin).__name__}-{id(plugin)}"
        self._register_module(plugin, name)
        return name

    def unregister(self, name: str) -> None:
        """Remove a plugin registered earlier."""
        self.pm.unregister(name=name)
        self.infos.pop(name, None)
        self._registry = None

    @property
    def failures(self) -> list[PluginInfo]:
        """Plugins that failed to load."""
        self.load()
        return [i for i in self.infos.values() if i.error]

    def registry(self) -> Registry:
        """Build (once, until plugins change) and validate what the plugins registered."""
        self.load()
        with self._lock:
            while self._registry is None:
                try:
                    self._registry = self._build_registry()
                except _SetAside as aside:
                    # Build again without it: nothing it registered stays behind.
                    self._set_aside(self.infos[aside.plugin], aside.error)
            return self._registry

    def _build_registry(self) -> Registry:
        reg = Registry()
        for info in self.infos.values():
            info.registered = {}

        def collector(kind: str, target: dict[str, Any], plugin: str) -> Callable[..., None]:
            def register(name_or_obj: Any, value: Any = None) -> None:
                if value is None:
                    obj = name_or_obj
                    name = getattr(obj, "name", None)
                    if not isinstance(name, str) or not name:
                        raise PluginError(f"plugin {plugin!r} registered a {kind} without a name")
                else:
                    name, obj = name_or_obj, value
                    if not isinstance(name, str) or not name:
                        raise PluginError(
                            f"plugin {plugin!r} registered a {kind} with an empty name"
                        )
                if kind == "webhook":
                    _check_webhook(plugin, name, obj)
                if kind == "asgi_app":
                    _check_asgi_app(plugin, name, obj)
                if name in target:
                    raise DuplicateRegistrationError(kind, name, reg.owners[(kind, name)], plugin)
                target[name] = obj
                reg.owners[(kind, name)] = plugin
                self.infos[plugin].registered.setdefault(kind, []).append(name)

            return register

        def dirs_register(plugin: str) -> Callable[[Path], None]:
            def register(path: Path) -> None:
                p = Path(path)
                if not p.is_dir():
                    raise PluginError(
                        f"plugin {plugin!r} registered a template folder that does not exist: {p}"
                    )
                reg.template_dirs.insert(0, p)  # later plugins override earlier ones
                self.infos[plugin].registered.setdefault("template_dirs", []).append(str(p))

            return register

        specs: list[tuple[str, str, dict[str, Any] | None]] = [
            ("notifysdk_register_channels", "channel", reg.channels),
            ("notifysdk_register_rules", "rule", reg.rules),
            ("notifysdk_register_profiles", "profile", reg.profiles),
            ("notifysdk_register_detectors", "detector", reg.detectors),
            ("notifysdk_register_filters", "filter", reg.filters),
            ("notifysdk_register_ledgers", "ledger", reg.ledgers),
            ("notifysdk_register_webhooks", "webhook", reg.webhooks),
            ("notifysdk_register_asgi_apps", "asgi_app", reg.asgi_apps),
            ("notifysdk_register_template_dirs", "template_dirs", None),
        ]
        for hook_name, kind, target in specs:
            caller = getattr(self.pm.hook, hook_name)
            # get_hookimpls() lists in registration order: built-ins register first.
            for impl in caller.get_hookimpls():
                plugin = impl.plugin_name
                if plugin not in self.infos:
                    self.infos[plugin] = PluginInfo(plugin)
                reg_fn = (
                    dirs_register(plugin) if target is None else collector(kind, target, plugin)
                )
                try:
                    impl.function(register=reg_fn)
                except Exception as exc:
                    if not self.infos[plugin].entry_point:
                        raise
                    raise _SetAside(plugin, _in_hook(hook_name, exc)) from exc
        return reg


def _isolate_events(pm: pluggy.PluginManager, plugin: object) -> None:
    """Make each plain implementation of an event hook (not a wrapper) log what it
    raises instead of raising, so one plugin's failure cannot stop another's event or a
    send (see :mod:`notifysdk.event_isolation`)."""
    from .event_isolation import EVENT_HOOKS, isolate

    for name in EVENT_HOOKS:
        for impl in getattr(pm.hook, name).get_hookimpls():
            isolated = getattr(impl.function, "__notifysdk_isolated__", False)
            if impl.plugin is plugin and not (impl.wrapper or impl.hookwrapper or isolated):
                impl.function = isolate(impl.function, name, impl.plugin_name)


class _SetAside(Exception):  # noqa: N818 - a signal between two methods, never seen
    def __init__(self, plugin: str, error: PluginError) -> None:
        self.plugin, self.error = plugin, error


def _check_webhook(plugin: str, path: str, handler: object) -> None:
    from .webhooks import check_path

    try:
        check_path(path)
    except ValueError as exc:
        raise PluginError(f"plugin {plugin!r} registered webhook {path!r}: {exc}") from None
    if not callable(handler):
        raise PluginError(f"plugin {plugin!r} registered webhook {path!r} without a handler")


def _check_asgi_app(plugin: str, prefix: str, factory: object) -> None:
    from .asgi import check_prefix

    try:
        check_prefix(prefix)
    except ValueError as exc:
        raise PluginError(f"plugin {plugin!r} registered app {prefix!r}: {exc}") from None
    if not callable(factory):
        raise PluginError(f"plugin {plugin!r} registered app {prefix!r} without a factory")


def _in_hook(hook_name: str, exc: Exception) -> PluginError:
    if isinstance(exc, PluginError):
        return exc
    return PluginError(f"{hook_name} raised {type(exc).__name__}: {exc}")


def _unknown_hook(name: str) -> str:
    close = difflib.get_close_matches(name, _hook_names(), n=1)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"{name!r} is not a notifysdk hook{hint}; the hooks are in notifysdk.hookspecs"


@functools.cache
def _hook_names() -> tuple[str, ...]:
    return tuple(n for n in vars(hookspecs) if n.startswith(f"{hookspecs.PROJECT}_"))


def _validation_reason(exc: pluggy.PluginValidationError) -> str:
    """pluggy's multi-line message, said in one line: which hook, which arguments."""
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    hook = next((ln.split("'")[3] for ln in lines if ln.startswith("Plugin '")), "a hook")
    detail = next((ln for ln in lines if "Argument(s)" in ln), lines[-1] if lines else "")
    if "Argument(s)" in detail:
        args = detail.split("{", 1)[-1].split("}", 1)[0]
        spec = getattr(hookspecs, hook, None)
        known = ", ".join(inspect.signature(spec).parameters) if spec else "?"
        return f"{hook} declares {args}, which the hook does not pass (it passes: {known})"
    return f"{hook}: {detail}"


_default: PluginManager | None = None
_default_lock = threading.Lock()


def get_plugin_manager() -> PluginManager:
    """The process-wide plugin manager, created and loaded on first use."""
    global _default
    with _default_lock:
        if _default is None:
            _default = PluginManager()
        return _default


def set_plugin_manager(pm: PluginManager | None) -> PluginManager | None:
    """Replace the process-wide manager (tests use a fresh one each); returns the old one."""
    global _default
    with _default_lock:
        old, _default = _default, pm
        return old


@functools.cache
def sdk_version() -> str:
    """The installed notifysdk's version (``0+unknown`` when run from a bare tree)."""
    return entrypoints.distribution_version("notifysdk") or "0+unknown"
