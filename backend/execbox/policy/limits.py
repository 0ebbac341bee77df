"""Size and nesting limits: the checks that bound how much work a program can cause."""

from __future__ import annotations

import ast

from execbox.policy.rules import CodePolicy
from execbox.policy.source import Source
from execbox.policy.violations import Rule, Violation


def check_size(source: Source, policy: CodePolicy) -> list[Violation]:
    """Over-long code and too many lines, each underlined from where the limit is crossed."""
    violations = []
    if source.length > policy.max_chars:
        message = f"code is {source.length:,} characters long; the limit is {policy.max_chars:,}"
        violations.append(source.at_span(policy.max_chars, source.length, Rule.CODE_TOO_LONG, message))
    if source.line_count > policy.max_lines:
        message = f"code has {source.line_count:,} lines; the limit is {policy.max_lines:,}"
        last = source.line_count - 1
        start, end = source.starts[policy.max_lines], source.starts[last] + len(source.lines[last])
        violations.append(source.at_span(start, end, Rule.TOO_MANY_LINES, message))
    return violations


def check_depth(tree: ast.Module, source: Source, limit: int) -> list[Violation]:
    """One violation at the first statement or expression nested deeper than `limit`.

    Depth counts nested statements, expressions and match patterns (`x = f(y)` is 3 deep).
    The walk uses its own stack: the trees it must reject are the ones that would overflow a
    recursive visitor.
    """
    deepest = 0
    first_too_deep: ast.stmt | ast.expr | ast.pattern | None = None
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, ast.stmt | ast.expr | ast.pattern):
            depth += 1
            deepest = max(deepest, depth)
            if depth > limit and first_too_deep is None:
                first_too_deep = node
        # Reversed, so nodes come off the stack in source order and the first one found is
        # the first in the code.
        stack.extend((child, depth) for child in reversed(list(ast.iter_child_nodes(node))))
    if first_too_deep is None:
        return []
    message = f"code is nested {deepest} levels deep; the limit is {limit}: split it into smaller steps"
    return [source.at_node(first_too_deep, Rule.TOO_COMPLEX, message)]
