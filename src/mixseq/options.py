"""Accepted options of the registered methods, forecasters and loaders, and their validation.

A *spec* maps each accepted option name to its type annotation (``int``, ``float``, ``str``, ``bool``,
``list[int]``, ``int | None``, ``Literal["a", "b"]``, ``Any``). Specs are derived, not restated:

- :func:`spec_from_signature`: the keyword parameters of a constructor and their type hints;
- :func:`spec_from_defaults`: a ``DEFAULTS`` dict (the type of each default value; ``None`` defaults and
  other ambiguous ones are typed by an explicit ``types`` mapping).

:func:`check_options` raises :class:`OptionError` (a ``ValueError``) naming the key and what was expected, so
the same check serves the configuration (key ``methods.mixseq``) and the classes themselves (key ``mixseq``).
"""

from __future__ import annotations

import inspect
import numbers
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, Union

#: option name -> type annotation
OptionSpec = dict[str, Any]


def load_object(path: str) -> Any:
    """The object a registry names as ``"module:name"`` (the module imported on first use)."""
    import importlib

    module, name = path.split(":")
    return getattr(importlib.import_module(module), name)


#: separates a base name from a variant tag: ``mixseq__lr3`` is the variant ``lr3`` of method ``mixseq``
VARIANT_SEP = "__"


def base_name(alias: str) -> str:
    """``mixseq__lr3`` -> ``mixseq``: a variant (alias) of a method or forecaster names its base before ``__``."""
    return alias.split(VARIANT_SEP, 1)[0]


class OptionError(ValueError):
    """An option is unknown or has the wrong type; the message names the key and what was expected."""


def spec_from_signature(func: Callable[..., Any], skip: Iterable[str] = ("self", "seed", "n_clusters")) -> OptionSpec:
    """Keyword parameters of ``func`` (``**kwargs`` excluded) with their type hints (``Any`` when unannotated)."""
    hints = typing.get_type_hints(func)
    skip = set(skip)
    spec: OptionSpec = {}
    for name, p in inspect.signature(func).parameters.items():
        if name in skip or p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.POSITIONAL_ONLY):
            continue
        spec[name] = hints.get(name, Any)
    return spec


def _type_of_default(value: Any) -> Any:
    if isinstance(value, bool):
        return bool
    if isinstance(value, int):
        return int
    if isinstance(value, float):
        return float
    if isinstance(value, str):
        return str
    if isinstance(value, (list, tuple)) and value:
        return list[_type_of_default(value[0])]  # type: ignore[misc]
    if isinstance(value, dict):
        return dict
    return Any


def spec_from_defaults(defaults: Mapping[str, Any], types_: Mapping[str, Any] | None = None) -> OptionSpec:
    """One entry per key of ``defaults``: its type from ``types_`` if given there, else from the default value."""
    types_ = dict(types_ or {})
    return {k: types_[k] if k in types_ else _type_of_default(v) for k, v in defaults.items()}


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def conforms(value: Any, tp: Any) -> bool:
    """Whether ``value`` (as read from YAML) has type ``tp``; ints count as floats, bools never as numbers."""
    if tp is Any:
        return True
    if tp is None or tp is type(None):
        return value is None
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if _is_union(tp):
        return any(conforms(value, a) for a in args)
    if origin is Literal:
        return value in args
    if tp is bool:
        return isinstance(value, bool)
    if tp is int:
        return isinstance(value, numbers.Integral) and not isinstance(value, bool)
    if tp is float:
        return isinstance(value, numbers.Real) and not isinstance(value, bool)
    if tp is str:
        return isinstance(value, str)
    if origin in (list, tuple) or tp in (list, tuple):
        if not isinstance(value, (list, tuple)):
            return False
        if origin is tuple and args and args[-1] is not Ellipsis:
            return len(value) == len(args) and all(conforms(v, a) for v, a in zip(value, args, strict=True))
        return not args or all(conforms(v, args[0]) for v in value)
    if origin is dict or tp is dict:
        return isinstance(value, dict)
    return isinstance(value, origin or tp)


_NAMES = {bool: "true or false", int: "an integer", float: "a number", str: "a string", dict: "a mapping",
          list: "a list", tuple: "a list"}


def type_name(tp: Any) -> str:
    """Readable name of ``tp``: ``an integer``, ``a list of integers``, ``one of ['a', 'b']``, ``... or null``."""
    if tp is Any:
        return "any value"
    if tp is None or tp is type(None):
        return "null"
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if _is_union(tp):
        return " or ".join(type_name(a) for a in args)
    if origin is Literal:
        return f"one of {list(args)}"
    if origin in (list, tuple):
        if origin is tuple and args and args[-1] is not Ellipsis:
            return f"a list of {len(args)} items ({', '.join(type_name(a) for a in args)})"
        if args:
            inner = type_name(args[0])
            for article in ("an ", "a "):
                if inner.startswith(article):
                    inner = inner[len(article):] + "s"
                    break
            return f"a list of {inner}"
    return _NAMES.get(origin or tp, getattr(tp, "__name__", str(tp)))


def check_options(
    options: Mapping[str, Any] | None, spec: Mapping[str, Any], key: str, owner: str, prefix: str = "config key"
) -> None:
    """Raise :class:`OptionError` for an option of ``owner`` not in ``spec`` or of the wrong type.

    Args:
        options: the options given (``None`` = none).
        spec: accepted options (:data:`OptionSpec`).
        key: where the options come from, prefixed to the option name in messages (``methods.mixseq``).
        owner: what accepts them, for the message (``method 'mixseq'``).
        prefix: what the key is (``config key``; ``option`` when a class checks its own arguments).

    Messages: ``<prefix> '<key>.<name>': unknown option of <owner>; expected one of [<accepted>]`` and
    ``<prefix> '<key>.<name>': expected <type>, got <value>``.
    """
    for name, value in (options or {}).items():
        if name not in spec:
            raise OptionError(
                f"{prefix} '{key}.{name}': unknown option of {owner}; expected one of {sorted(spec)}"
            )
        if not conforms(value, spec[name]):
            raise OptionError(f"{prefix} '{key}.{name}': expected {type_name(spec[name])}, got {value!r}")
