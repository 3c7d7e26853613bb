import { describe, expect, it } from "vitest";
import {
  add,
  diff,
  evaluateMathExpr,
  fill,
  ifThen,
  ref,
  referencedIds,
  renderMathExpr,
  subtract,
} from "./metric-math.ts";

// Per period, oldest first; undefined is a period without a datapoint.
const inputs = {
  m1: [30, 20, undefined, 0, -5],
  m2: [20, undefined, 20, undefined, 5],
};

describe("metric math", () => {
  it("renders the CloudWatch expression, grouping a compound right operand", () => {
    const expr = subtract(add(fill(ref("m1"), 0), ref("m2")), add(ref("m1"), diff(ref("m2"))));

    expect(renderMathExpr(expr)).toBe("FILL(m1, 0) + m2 - (m1 + DIFF(m2))");
    expect(renderMathExpr(ifThen({ series: ref("m1"), op: "<", bound: 0 }, ref("m2"), 0))).toBe("IF(m1 < 0, m2, 0)");
    expect(referencedIds(expr)).toEqual(["m1", "m2", "m1", "m2"]);
  });

  it("treats a missing value as 0 in arithmetic, and leaves a period both operands lack without a value", () => {
    expect(evaluateMathExpr(subtract(ref("m1"), ref("m2")), inputs)).toEqual([10, 20, -20, 0, -10]);
    expect(evaluateMathExpr(add(ref("m2"), ref("m2")), inputs)).toEqual([40, undefined, 40, undefined, 10]);
  });

  it("fills missing values with FILL", () => {
    expect(evaluateMathExpr(fill(ref("m2"), 0), inputs)).toEqual([20, 0, 20, 0, 5]);
  });

  it("takes DIFF against the series' preceding datapoint; the first has none", () => {
    expect(evaluateMathExpr(diff(ref("m1")), inputs)).toEqual([undefined, -10, undefined, -20, -5]);
    expect(evaluateMathExpr(diff(fill(ref("m2"), 0)), inputs)).toEqual([undefined, -20, 20, -20, 5]);
  });

  it("evaluates IF per period: then where the condition holds (0 where it lacks a value), otherwise elsewhere", () => {
    // As in "Using IF expressions": no value where the condition's series has none.
    const expr = ifThen({ series: ref("m1"), op: ">=", bound: 20 }, ref("m2"), -1);

    expect(evaluateMathExpr(expr, inputs)).toEqual([20, 0, undefined, -1, -1]);
  });

  it("refuses an id that is not defined before the expression", () => {
    expect(() => evaluateMathExpr(ref("m3"), inputs)).toThrow(/m3, which is not defined/);
  });
});
