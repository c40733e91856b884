"""Conditions (`show_if`): the whitelisted subset of JSON Logic, evaluated exactly as forms/static/forms/conditions.js
evaluates it in the browser. Both are held to one file of cases, forms/conformance/conditions.json (docs/forms-format.md
"Conditions" gives the semantics; the file pins them).

Pure: no Django, no database. `evaluate(expr, lookup)` takes the answer of a question id from `lookup` (None when it
is unanswered or hidden). An operator outside the subset raises `ConditionError`; the loader refuses such a
definition before it is ever evaluated (forms.definition), so at run time this only guards against a bypass.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

OPERATORS = ("var", "missing", "==", "!=", "<", ">", "<=", ">=", "in", "and", "or", "!", "!!")
# How many operands each operator takes: (fewest, most); None is "any number".
ARITY: dict[str, tuple[int, int | None]] = {
    "var": (1, 1),
    "missing": (1, None),
    "==": (2, 2),
    "!=": (2, 2),
    "<": (2, 2),
    ">": (2, 2),
    "<=": (2, 2),
    ">=": (2, 2),
    "in": (2, 2),
    "and": (1, None),
    "or": (1, None),
    "!": (1, 1),
    "!!": (1, 1),
}

Lookup = Callable[[str], Any]


class ConditionError(ValueError):
    """A condition outside the subset (an operator not allowed, or the wrong shape)."""


def operands(value: Any) -> list[Any]:
    """JSON Logic's operand list: `{"!": [x]}` and `{"!": x}` both have the one operand x."""
    return value if isinstance(value, list) else [value]


def is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def truthy(value: Any) -> bool:
    """null, false, 0, "" and [] are false; everything else ("0", {}, [0]) is true."""
    if value is None or value is False:
        return False
    if is_number(value):
        return value != 0
    if isinstance(value, str | list):
        return len(value) > 0
    return True


def strict_equal(a: Any, b: Any) -> bool:
    """Equality without coercion: 1 == "1" and 1 == true are false; 1 == 1.0 is true (JSON has one number type);
    lists and objects are equal when their members are."""
    if is_number(a) and is_number(b):
        return bool(a == b)
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(strict_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(strict_equal(a[k], b[k]) for k in a)
    return False


def compare(op: str, a: Any, b: Any) -> bool:
    """Two numbers or two strings (ISO dates compare as strings); anything else is false."""
    if not ((is_number(a) and is_number(b)) or (isinstance(a, str) and isinstance(b, str))):
        return False
    if op == "<":
        return bool(a < b)
    if op == ">":
        return bool(a > b)
    if op == "<=":
        return bool(a <= b)
    return bool(a >= b)


def unanswered(value: Any) -> bool:
    return value is None or value == "" or value == []


def evaluate(expr: Any, lookup: Lookup) -> Any:
    if isinstance(expr, list):
        return [evaluate(e, lookup) for e in expr]
    if not isinstance(expr, dict):
        return expr
    if len(expr) != 1:
        raise ConditionError("a condition object must have exactly one operator")
    ((op, raw),) = expr.items()
    if op not in ARITY:
        raise ConditionError(f'operator "{op}" is not allowed')
    args = operands(raw)
    fewest, most = ARITY[op]
    if len(args) < fewest or (most is not None and len(args) > most):
        raise ConditionError(f'operator "{op}" takes the wrong number of operands')
    if op == "var":
        name = args[0]
        if not isinstance(name, str):
            raise ConditionError('"var" takes a question id')
        return lookup(name)
    if op == "missing":
        if not all(isinstance(a, str) for a in args):
            raise ConditionError('"missing" takes question ids')
        return [a for a in args if unanswered(lookup(a))]
    if op == "and":
        return all(truthy(evaluate(a, lookup)) for a in args)
    if op == "or":
        return any(truthy(evaluate(a, lookup)) for a in args)
    if op == "!":
        return not truthy(evaluate(args[0], lookup))
    if op == "!!":
        return truthy(evaluate(args[0], lookup))
    a, b = (evaluate(x, lookup) for x in args)
    if op == "==":
        return strict_equal(a, b)
    if op == "!=":
        return not strict_equal(a, b)
    if op == "in":
        if isinstance(b, list):
            return any(strict_equal(a, x) for x in b)
        if isinstance(b, str) and isinstance(a, str):
            return a in b
        return False
    return compare(op, a, b)


def holds(expr: Any, lookup: Lookup) -> bool:
    """Whether a `show_if` condition is met (its value is truthy)."""
    return truthy(evaluate(expr, lookup))


def variables(expr: Any) -> list[tuple[str, Any]]:
    """Every question id a condition reads, with the JSON path below the condition where it is read:
    [("health", ".and[0].==[0].var"), ...]. For the loader's checks."""
    found: list[tuple[str, Any]] = []

    def walk(e: Any, path: str) -> None:
        if isinstance(e, list):
            for i, x in enumerate(e):
                walk(x, f"{path}[{i}]")
        elif isinstance(e, dict) and len(e) == 1:
            ((op, raw),) = e.items()
            if op in ("var", "missing"):
                for i, a in enumerate(operands(raw)):
                    if isinstance(a, str):
                        found.append((a, f"{path}.{op}" if not isinstance(raw, list) else f"{path}.{op}[{i}]"))
            else:
                walk(raw, f"{path}.{op}")

    walk(expr, "")
    return found


def problems(expr: Any, path: str = "") -> list[tuple[str, str]]:
    """What is wrong with a condition, as (JSON path below the condition, reason) pairs; [] when it is in the subset."""
    found: list[tuple[str, str]] = []
    allowed = ", ".join(OPERATORS)
    if isinstance(expr, list):
        for i, e in enumerate(expr):
            found += problems(e, f"{path}[{i}]")
        return found
    if not isinstance(expr, dict):
        return found
    if len(expr) != 1:
        keys = ", ".join(f'"{k}"' for k in expr) or "none"
        return [(path, f"a condition must be one operator, not an object with the keys {keys}")]
    ((op, raw),) = expr.items()
    here = f"{path}.{op}"
    if op not in ARITY:
        return [(path, f'operator "{op}" is not allowed (allowed: {allowed})')]
    args = operands(raw)
    fewest, most = ARITY[op]
    if len(args) < fewest or (most is not None and len(args) > most):
        wanted = str(fewest) if fewest == most else f"{fewest} or more"
        return [(here, f'"{op}" takes {wanted} operand{"" if wanted == "1" else "s"}, not {len(args)}')]
    if op in ("var", "missing"):
        for i, a in enumerate(args):
            if not isinstance(a, str):
                where = f"{here}[{i}]" if isinstance(raw, list) else here
                found.append((where, f'"{op}" takes a question id (a string), not {type_name(a)}'))
        return found
    if isinstance(raw, list):
        for i, a in enumerate(raw):
            found += problems(a, f"{here}[{i}]")
    else:
        found += problems(raw, here)
    return found


def type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true or false"
    if is_number(value):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "an object"
