// ValidatePreflight: the last checks before anything external happens. Kill switches first, then the
// intent itself: it must exist, belong to the event's tenant and account, and not have expired.
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { documentClient } from "#kernel/clients/dynamodb.ts";
import { flagEnv, tableNameFromEnv } from "#kernel/config.ts";
import { IntentExpiredError, IntentNotFoundError, KillSwitchError, ValidationError } from "#kernel/errors.ts";
import { statePipeline } from "#kernel/pipeline.ts";
import { getControls } from "#kernel/repositories/controls.ts";
import { getIntent } from "#kernel/repositories/intents.ts";
import type { ValidatorInput, ValidatorOutput } from "#schemas/states.ts";
import { ValidatorInput as validateInput, ValidatorOutput as validateOutput } from "#schemas/validators.generated.js";
import { killSwitchStopping, stackKillSwitchMessage } from "./kill-switches.ts";

export interface PreflightConfig {
  intentsTable: string;
  controlsTable: string;
  /**
   * The stack's deploy-time override: stops every execution without reading anything. Read at cold start,
   * so it takes a deploy; the global controls item in the controls table takes effect on the next execution.
   */
  globalKillSwitch: boolean;
}

const config: PreflightConfig = {
  intentsTable: tableNameFromEnv("intents"),
  controlsTable: tableNameFromEnv("controls"),
  globalKillSwitch: flagEnv("GLOBAL_KILL_SWITCH", false),
};

export async function validatePreflight(
  input: ValidatorInput,
  db: DynamoDBDocumentClient,
  preflight: PreflightConfig,
  now = new Date(),
): Promise<ValidatorOutput> {
  if (preflight.globalKillSwitch) throw new KillSwitchError(stackKillSwitchMessage);
  const [intent, controls] = await Promise.all([
    getIntent(db, preflight.intentsTable, input.tenant_id, input.action_intent_id),
    getControls(db, preflight.controlsTable, input.tenant_id),
  ]);
  // A switch that stops everything stops a missing intent too; the action-type switches need the intent.
  const stopped = killSwitchStopping(controls, input.tenant_id, intent?.action_type);
  if (stopped) throw new KillSwitchError(stopped);
  if (!intent) {
    throw new IntentNotFoundError(`action intent ${input.action_intent_id} not found for tenant ${input.tenant_id}`);
  }
  if (intent.tenant_id !== input.tenant_id || intent.account_id !== input.account_id) {
    throw new ValidationError(
      `intent ${input.action_intent_id} belongs to tenant ${intent.tenant_id} account ${intent.account_id}, ` +
        `but the event names tenant ${input.tenant_id} account ${input.account_id}`,
    );
  }
  const nowEpoch = Math.floor(now.getTime() / 1000);
  if (intent.expires_at_epoch <= nowEpoch) {
    throw new IntentExpiredError(
      `intent ${input.action_intent_id} expired at ${new Date(intent.expires_at_epoch * 1000).toISOString()}`,
    );
  }
  return { preflight: "PASSED", checked_at: now.toISOString(), expires_at_epoch: intent.expires_at_epoch };
}

export const handler = statePipeline<ValidatorInput, ValidatorOutput>(
  { input: validateInput, output: validateOutput },
  (input) => validatePreflight(input, documentClient, config),
);
