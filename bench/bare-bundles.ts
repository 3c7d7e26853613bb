// The baseline the pipeline's cold-import cost is judged against: each function's bundle built by the
// project's bundler (infra/bundle.ts) from the same entry, with the same business function, configuration
// reads, SDK clients (traced), Logger and Metrics instances, but with the Middy pipeline left out: Middy,
// its middlewares (validator, CORS, HTTP errors, router), the Powertools middlewares and the contract
// validators the pipeline applies. What the function does at import stays; what the pipeline adds goes.
import { build, type Plugin } from "esbuild";
import { bundleOptions } from "../infra/bundle.ts";
import { type EngineFunctionId, engineFunctions } from "../infra/catalog.ts";

/** Stand-ins with the pipeline modules' import names, doing nothing at import or when called. */
const passThrough: Record<string, string> = {
  // `statePipeline(contract, handle)` is the business function itself.
  "#kernel/pipeline.ts": "export const statePipeline = (_contract, handle) => handle;",
  // `middy().use(...).handler(fn)` is `fn`.
  "@middy/core":
    "const chain = { use: () => chain, before: () => chain, after: () => chain, onError: () => chain, handler: (fn) => fn };\n" +
    "export default () => chain;",
  "@middy/validator": "export default () => ({});",
  "@middy/http-cors": "export default () => ({});",
  "@middy/http-error-handler": "export default () => ({});",
  // The status API's first route is the status read, the business function its warm overhead is judged against.
  "@middy/http-router": "export default ({ routes }) => routes[0].handler;",
  "@aws-lambda-powertools/logger/middleware": "export const injectLambdaContext = () => ({});",
  "@aws-lambda-powertools/metrics/middleware": "export const logMetrics = () => ({});",
  "@aws-lambda-powertools/tracer/middleware": "export const captureLambdaHandler = () => ({});",
};

const literally = (text: string) => text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");

/** Resolves every pipeline module to its pass-through stand-in. */
export const withoutPipeline: Plugin = {
  name: "without-pipeline",
  setup(build) {
    const filter = new RegExp(`^(${Object.keys(passThrough).map(literally).join("|")})$`);
    build.onResolve({ filter }, ({ path }) => ({ path, namespace: "bare-pipeline" }));
    build.onLoad({ filter: /.*/, namespace: "bare-pipeline" }, ({ path }) => ({
      contents: passThrough[path] ?? "",
      loader: "js",
    }));
  },
};

export interface BareBundle {
  id: EngineFunctionId;
  code: string;
  bytes: number;
}

/** Each function's bundle without its pipeline, built as a deploy builds the real one otherwise. */
export async function buildBareBundles(): Promise<BareBundle[]> {
  return Promise.all(
    engineFunctions.map(async (fn) => {
      const options = bundleOptions(fn.entry);
      const result = await build({ ...options, plugins: [withoutPipeline, ...(options.plugins ?? [])], write: false });
      const [output] = result.outputFiles;
      if (!output) throw new Error(`esbuild produced no bare bundle for ${fn.entry}`);
      return { id: fn.id, code: output.text, bytes: output.contents.byteLength };
    }),
  );
}
