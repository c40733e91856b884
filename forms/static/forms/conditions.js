// Conditions (show_if): the whitelisted subset of JSON Logic, evaluated exactly as forms/conditions.py evaluates it
// on the server. Both are held to forms/conformance/conditions.json (docs/forms-format.md, "Conditions").
// An ES module with no dependencies: evaluate(expr, lookup), holds(expr, lookup), truthy(value).

const ARITY = {
  var: [1, 1], missing: [1, Infinity], "==": [2, 2], "!=": [2, 2], "<": [2, 2], ">": [2, 2], "<=": [2, 2],
  ">=": [2, 2], in: [2, 2], and: [1, Infinity], or: [1, Infinity], "!": [1, 1], "!!": [1, 1],
};

export class ConditionError extends Error {}

const isNumber = (v) => typeof v === "number";
const isObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v);
const operands = (v) => (Array.isArray(v) ? v : [v]);

export function truthy(v) {
  if (v === null || v === undefined || v === false) return false;
  if (isNumber(v)) return v !== 0;
  if (typeof v === "string" || Array.isArray(v)) return v.length > 0;
  return true;
}

export function strictEqual(a, b) {
  if (a === undefined) a = null;
  if (b === undefined) b = null;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((x, i) => strictEqual(x, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && strictEqual(a[k], b[k]));
  }
  return a === b;
}

function compare(op, a, b) {
  if (!((isNumber(a) && isNumber(b)) || (typeof a === "string" && typeof b === "string"))) return false;
  if (typeof a === "string") {
    // Code points, as Python compares strings (JavaScript's < compares UTF-16 units).
    a = Array.from(a, (c) => c.codePointAt(0));
    b = Array.from(b, (c) => c.codePointAt(0));
    let i = 0;
    while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
    const d = i < a.length && i < b.length ? a[i] - b[i] : a.length - b.length;
    a = d;
    b = 0;
  }
  if (op === "<") return a < b;
  if (op === ">") return a > b;
  if (op === "<=") return a <= b;
  return a >= b;
}

export const unanswered = (v) => v === null || v === undefined || v === "" || (Array.isArray(v) && v.length === 0);

export function evaluate(expr, lookup) {
  if (Array.isArray(expr)) return expr.map((e) => evaluate(e, lookup));
  if (!isObject(expr)) return expr;
  const keys = Object.keys(expr);
  if (keys.length !== 1) throw new ConditionError("a condition object must have exactly one operator");
  const op = keys[0];
  if (!Object.hasOwn(ARITY, op)) throw new ConditionError(`operator "${op}" is not allowed`);
  const args = operands(expr[op]);
  const [fewest, most] = ARITY[op];
  if (args.length < fewest || args.length > most) {
    throw new ConditionError(`operator "${op}" takes the wrong number of operands`);
  }
  switch (op) {
    case "var": {
      if (typeof args[0] !== "string") throw new ConditionError('"var" takes a question id');
      const v = lookup(args[0]);
      return v === undefined ? null : v;
    }
    case "missing":
      if (!args.every((a) => typeof a === "string")) throw new ConditionError('"missing" takes question ids');
      return args.filter((a) => unanswered(lookup(a)));
    case "and":
      return args.every((a) => truthy(evaluate(a, lookup)));
    case "or":
      return args.some((a) => truthy(evaluate(a, lookup)));
    case "!":
      return !truthy(evaluate(args[0], lookup));
    case "!!":
      return truthy(evaluate(args[0], lookup));
    default:
      break;
  }
  const a = evaluate(args[0], lookup);
  const b = evaluate(args[1], lookup);
  if (op === "==") return strictEqual(a, b);
  if (op === "!=") return !strictEqual(a, b);
  if (op === "in") {
    if (Array.isArray(b)) return b.some((x) => strictEqual(a, x));
    if (typeof b === "string" && typeof a === "string") return b.includes(a);
    return false;
  }
  return compare(op, a, b);
}

export const holds = (expr, lookup) => truthy(evaluate(expr, lookup));
