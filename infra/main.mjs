// The entry Pulumi.yaml names. Plain JavaScript on purpose: the Pulumi CLI runs the program with the first
// `node` on PATH, and only a JavaScript entry can check that Node before the TypeScript program is loaded.
import { pulumiProgramNodeProblem } from "../scripts/require-node.mjs";

const nodeProblem = pulumiProgramNodeProblem(process.versions.node);
if (nodeProblem) {
  // Printed and exited here rather than thrown: on Node 20, Pulumi's run harness spends a minute or more
  // formatting an error thrown by the program before the process ends.
  console.error(`error: ${nodeProblem}`);
  process.exit(1);
}

// Pulumi's Node.js run harness calls a default-exported function and takes what it resolves to as the
// stack outputs: infra/index.ts's exports, under their own names.
export default async () => ({ ...(await import("./index.ts")) });
