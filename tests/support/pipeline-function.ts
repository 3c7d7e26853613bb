// A state function with no business of its own, built on the kernel's pipeline like every engine function:
// for tests of what the pipeline does around a handler once bundled and run the way Lambda runs it.
import { statePipeline } from "#kernel/pipeline.ts";
import { logger } from "#kernel/powertools.ts";
import type { ValidatorInput, ValidatorOutput } from "#schemas/states.ts";
import { ValidatorInput as validateInput, ValidatorOutput as validateOutput } from "#schemas/validators.generated.js";

export const PIPELINE_FUNCTION_ANSWER: ValidatorOutput = {
  preflight: "PASSED",
  checked_at: "2026-11-23T01:00:00.000Z",
  expires_at_epoch: 1,
};
export const PIPELINE_FUNCTION_DEBUG_LINE = "pipeline function handled its input";
export const PIPELINE_FUNCTION_INFO_LINE = "pipeline function answered";

export const handler = statePipeline<ValidatorInput, ValidatorOutput>(
  { input: validateInput, output: validateOutput },
  async () => {
    logger.debug(PIPELINE_FUNCTION_DEBUG_LINE);
    logger.info(PIPELINE_FUNCTION_INFO_LINE);
    return PIPELINE_FUNCTION_ANSWER;
  },
);
