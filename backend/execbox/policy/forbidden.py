"""The forbidden forms: imports of modules not allowed, banned builtins and interpreter internals."""

from __future__ import annotations

import ast
from dataclasses import replace

from execbox.policy.rules import CodePolicy
from execbox.policy.source import Source
from execbox.policy.violations import Rule, Violation

# Compiler directives, not a way to reach anything.
_ALWAYS_ALLOWED = "__future__"

_HINTS = {"__class__": "; use type(obj) instead"}


def find_forbidden(tree: ast.Module, source: Source, policy: CodePolicy) -> list[Violation]:
    nodes = list(ast.walk(tree))  # breadth-first with its own queue: safe on any depth
    bound = _bound_names(nodes)
    modules = _module_names(nodes)
    violations: list[Violation] = []
    for node in nodes:
        match node:
            case ast.Import(names=aliases):
                violations += (
                    source.at_node(alias, Rule.IMPORT_NOT_ALLOWED, _import_message(alias.name, policy))
                    for alias in aliases
                    if not _is_allowed(alias.name, policy)
                )
            case ast.ImportFrom(level=level) if level > 0:
                message = "relative imports are not allowed; import an allowed module by its full name"
                violations.append(source.at_node(node, Rule.IMPORT_NOT_ALLOWED, message))
            case ast.ImportFrom(module=str(module)) if not _is_allowed(module, policy):
                message = _import_message(module, policy)
                violations.append(source.at_node(node, Rule.IMPORT_NOT_ALLOWED, message))
            case ast.ImportFrom(module=str(module), names=aliases):
                violations += (
                    source.at_node(alias, Rule.DUNDER_ACCESS, refusal)
                    for alias in aliases
                    if (refusal := _from_import_message(module, alias.name, policy))
                )
            case ast.Name(id=name, ctx=ctx) if name in policy.banned_builtins:
                if isinstance(ctx, ast.Load) and name not in bound:
                    message = (
                        f"'{name}' is not allowed here: it is a blocked built-in{_INSTEAD.get(name, '')}"
                    )
                    violations.append(source.at_node(node, Rule.BANNED_BUILTIN, message))
            case ast.Name(id=name) if name in policy.banned_attributes and _is_dunder(name):
                # `__builtins__`, `__loader__`, `__spec__` are module globals; blocked however used.
                violations.append(source.at_node(node, Rule.DUNDER_ACCESS, _internals_message(name)))
            case ast.Attribute(value=ast.Name(id=name), attr=attr) if (
                name in modules and f"{modules[name]}.{attr}" in policy.banned_module_attributes
            ):
                message = _internals_message(f"{modules[name]}.{attr}")
                violations.append(_at_attribute_name(node, source, message))
            case ast.Attribute(attr=attr) if attr in policy.banned_attributes:
                violations.append(_at_attribute_name(node, source, _internals_message(attr)))
    return violations


# What a program can do instead of a blocked built-in, where there is something.
_INSTEAD = {
    "open": " on this server; read the run's input files with pandas (pd.read_csv('data.csv')) or "
    "numpy (np.loadtxt('data.csv'))",
}


def _bound_names(nodes: list[ast.AST]) -> set[str]:
    """Every name the program binds anywhere, in any scope.

    A banned builtin's name that the user has bound is taken to be the user's own (a function
    called `compile`, a column variable called `input`). Deliberately not scope- or
    flow-aware: the policy is feedback, not the boundary, and a simple rule is easy to
    explain. `del` is not a binding, so it cannot be used to unlock a name.
    """
    bound: set[str] = set()
    for node in nodes:
        match node:
            case ast.Name(id=name, ctx=ast.Store()):
                bound.add(name)
            case ast.FunctionDef(name=name) | ast.AsyncFunctionDef(name=name) | ast.ClassDef(name=name):
                bound.add(name)
            case ast.arg(arg=name):
                bound.add(name)
            case ast.alias(name=name, asname=asname) if name != "*":
                bound.add(asname or name.partition(".")[0])
            case (
                ast.ExceptHandler(name=str(name))
                | ast.MatchAs(name=str(name))
                | ast.MatchStar(name=str(name))
                | ast.MatchMapping(rest=str(name))
            ):
                bound.add(name)
    return bound


def _module_names(nodes: list[ast.AST]) -> dict[str, str]:
    """The names `import` binds to modules, anywhere: `import sys as s` binds `s` to `sys`.

    Like `_bound_names`, not scope-aware; a module reached another way (assigned to another
    name first) is not followed.
    """
    modules: dict[str, str] = {}
    for node in nodes:
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    modules[alias.asname] = alias.name
                else:
                    top = alias.name.partition(".")[0]
                    modules[top] = top
    return modules


def _from_import_message(module: str, name: str, policy: CodePolicy) -> str | None:
    """Why `from module import name` is refused, or None when it is not."""
    if name == "*":
        if any(banned.startswith(f"{module}.") for banned in policy.banned_module_attributes):
            return f"'from {module} import *' is not allowed: it binds blocked names; import {module} instead"
        return None
    if f"{module}.{name}" in policy.banned_module_attributes:
        return _internals_message(f"{module}.{name}")
    return None


def _is_allowed(module: str, policy: CodePolicy) -> bool:
    """Allowed when the module or one of its parent packages is in the policy."""
    parts = module.split(".")
    prefixes = (".".join(parts[:length]) for length in range(1, len(parts) + 1))
    return module == _ALWAYS_ALLOWED or any(prefix in policy.allowed_modules for prefix in prefixes)


def _import_message(module: str, policy: CodePolicy) -> str:
    allowed = ", ".join(sorted(policy.allowed_modules)) or "none"
    return f"import of '{module}' is not allowed; allowed modules: {allowed}"


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _internals_message(name: str) -> str:
    return f"'{name}' is not allowed: it reaches interpreter internals{_HINTS.get(name, '')}"


def _at_attribute_name(node: ast.Attribute, source: Source, message: str) -> Violation:
    """Underline `.attr` only, not the whole `obj.attr` expression, when the name can be found.

    The name ends the node; it is looked up in the line rather than assumed, because names are
    NFKC-normalised and may be spelled differently in the source.
    """
    whole = source.at_node(node, Rule.DUNDER_ACCESS, message)
    if whole.end_line is None or whole.end_col is None:
        return whole
    start = whole.end_col - len(node.attr)
    if start >= 1 and source.lines[whole.end_line - 1][start - 1 : whole.end_col - 1] == node.attr:
        return replace(whole, line=whole.end_line, col=start)
    return whole
