// The subset of CloudWatch metric math the alarms use, as data: one tree renders to the expression string
// CloudWatch receives and evaluates locally over per-period series, so the local evaluator computes what
// the deployed alarm computes and the two cannot drift apart.
// Semantics: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/using-metric-math.html
// ("Metric math syntax and functions", "Using IF expressions").

export type MathComparison = "<" | "<=" | ">" | ">=";

export type MathExpr =
  /** A metric query or an earlier expression of the same alarm, by its id. */
  | { kind: "ref"; id: string }
  /** FILL(series, value): a period without data takes `value`. */
  | { kind: "fill"; series: MathExpr; value: number }
  | { kind: "add" | "subtract"; left: MathExpr; right: MathExpr }
  /** DIFF(series): each value minus the preceding value of the series. */
  | { kind: "diff"; series: MathExpr }
  /** IF(series <op> bound, then, otherwise), evaluated per period. */
  | {
      kind: "if";
      condition: { series: MathExpr; op: MathComparison; bound: number };
      then: MathExpr;
      otherwise: number;
    };

/** One value per period, oldest first; `undefined` where the period has no datapoint. */
export type Series = (number | undefined)[];

export const ref = (id: string): MathExpr => ({ kind: "ref", id });
export const fill = (series: MathExpr, value: number): MathExpr => ({ kind: "fill", series, value });
export const add = (left: MathExpr, right: MathExpr): MathExpr => ({ kind: "add", left, right });
export const subtract = (left: MathExpr, right: MathExpr): MathExpr => ({ kind: "subtract", left, right });
export const diff = (series: MathExpr): MathExpr => ({ kind: "diff", series });
export const ifThen = (
  condition: { series: MathExpr; op: MathComparison; bound: number },
  then: MathExpr,
  otherwise: number,
): MathExpr => ({ kind: "if", condition, then, otherwise });

/** The expression as CloudWatch takes it in a metric query's `Expression`. */
export function renderMathExpr(expr: MathExpr): string {
  switch (expr.kind) {
    case "ref":
      return expr.id;
    case "fill":
      return `FILL(${renderMathExpr(expr.series)}, ${expr.value})`;
    case "add":
    case "subtract": {
      const right = renderMathExpr(expr.right);
      // + and - associate to the left: a compound right operand needs parentheses.
      const grouped = expr.right.kind === "add" || expr.right.kind === "subtract" ? `(${right})` : right;
      return `${renderMathExpr(expr.left)} ${expr.kind === "add" ? "+" : "-"} ${grouped}`;
    }
    case "diff":
      return `DIFF(${renderMathExpr(expr.series)})`;
    case "if": {
      const { series, op, bound } = expr.condition;
      return `IF(${renderMathExpr(series)} ${op} ${bound}, ${renderMathExpr(expr.then)}, ${expr.otherwise})`;
    }
  }
}

/** The ids an expression reads, so a spec can check each one is defined before it is used. */
export function referencedIds(expr: MathExpr): string[] {
  switch (expr.kind) {
    case "ref":
      return [expr.id];
    case "fill":
    case "diff":
      return referencedIds(expr.series);
    case "add":
    case "subtract":
      return [...referencedIds(expr.left), ...referencedIds(expr.right)];
    case "if":
      return [...referencedIds(expr.condition.series), ...referencedIds(expr.then)];
  }
}

function holds(value: number, op: MathComparison, bound: number): boolean {
  switch (op) {
    case "<":
      return value < bound;
    case "<=":
      return value <= bound;
    case ">":
      return value > bound;
    case ">=":
      return value >= bound;
  }
}

/**
 * The expression's series over the periods of `inputs` (every input series has the same length).
 * Where the documentation is silent, the choice is stated:
 * - `+`/`-`: "missing values in a time series are treated as 0"; a period where both operands lack a
 *   value stays without one.
 * - DIFF: the preceding value is the series' previous datapoint; the first datapoint of the range has
 *   none and gets no value. Alarms fetch more periods than they evaluate (the evaluation range), so
 *   that first datapoint is older than the ones an alarm compares.
 * - IF: no value where the condition's series has none; where it holds, the `then` series' value (0
 *   where that series has none), where it does not, `otherwise`.
 */
export function evaluateMathExpr(expr: MathExpr, inputs: Record<string, Series>): Series {
  switch (expr.kind) {
    case "ref": {
      const series = inputs[expr.id];
      if (!series) throw new Error(`metric math refers to ${expr.id}, which is not defined before it`);
      return series;
    }
    case "fill":
      return evaluateMathExpr(expr.series, inputs).map((value) => value ?? expr.value);
    case "add":
    case "subtract": {
      const left = evaluateMathExpr(expr.left, inputs);
      const right = evaluateMathExpr(expr.right, inputs);
      const sign = expr.kind === "add" ? 1 : -1;
      return left.map((value, index) => {
        const other = right[index];
        if (value === undefined && other === undefined) return undefined;
        return (value ?? 0) + sign * (other ?? 0);
      });
    }
    case "diff": {
      let preceding: number | undefined;
      return evaluateMathExpr(expr.series, inputs).map((value) => {
        if (value === undefined) return undefined;
        const difference = preceding === undefined ? undefined : value - preceding;
        preceding = value;
        return difference;
      });
    }
    case "if": {
      const condition = evaluateMathExpr(expr.condition.series, inputs);
      const then = evaluateMathExpr(expr.then, inputs);
      return condition.map((value, index) => {
        if (value === undefined) return undefined;
        return holds(value, expr.condition.op, expr.condition.bound) ? (then[index] ?? 0) : expr.otherwise;
      });
    }
  }
}
