// Every contract that gets a generated validator, by the name its validator is exported under.
import {
  ErrorResponseSchema,
  ExecutionListResponseSchema,
  ExecutionStatusResponseSchema,
  ListRequestSchema,
  StatusRequestSchema,
} from "./api.ts";
import { AslTemplateSchema } from "./asl-template.ts";
import { ActionApprovedEventSchema, SignalDetailSchema, SignalRecordSchema } from "./events.ts";
import {
  ActionIntentSchema,
  ExecutionRecordSchema,
  GlobalControlsSchema,
  LedgerEventSchema,
  RegistryEntrySchema,
  TenantControlsSchema,
} from "./records.ts";
import {
  CompensationInputSchema,
  CompensationOutputSchema,
  ExecutionInputSchema,
  FailureRecorderInputSchema,
  InvokerInputSchema,
  MapperInputSchema,
  MapperOutputSchema,
  RecordedOutcomeSchema,
  RecorderInputSchema,
  StarterInputSchema,
  StarterOutputSchema,
  ToolResultSchema,
  ValidatorInputSchema,
  ValidatorOutputSchema,
} from "./states.ts";

export const contractSchemas = {
  ActionApprovedEvent: ActionApprovedEventSchema,
  SignalDetail: SignalDetailSchema,
  SignalRecord: SignalRecordSchema,
  ActionIntent: ActionIntentSchema,
  RegistryEntry: RegistryEntrySchema,
  TenantControls: TenantControlsSchema,
  GlobalControls: GlobalControlsSchema,
  ExecutionRecord: ExecutionRecordSchema,
  LedgerEvent: LedgerEventSchema,
  ExecutionInput: ExecutionInputSchema,
  StarterInput: StarterInputSchema,
  StarterOutput: StarterOutputSchema,
  ValidatorInput: ValidatorInputSchema,
  ValidatorOutput: ValidatorOutputSchema,
  MapperInput: MapperInputSchema,
  MapperOutput: MapperOutputSchema,
  InvokerInput: InvokerInputSchema,
  ToolResult: ToolResultSchema,
  CompensationInput: CompensationInputSchema,
  CompensationOutput: CompensationOutputSchema,
  RecorderInput: RecorderInputSchema,
  RecordedOutcome: RecordedOutcomeSchema,
  FailureRecorderInput: FailureRecorderInputSchema,
  ExecutionStatusResponse: ExecutionStatusResponseSchema,
  ExecutionListResponse: ExecutionListResponseSchema,
  ErrorResponse: ErrorResponseSchema,
  StatusRequest: StatusRequestSchema,
  ListRequest: ListRequestSchema,
  AslTemplate: AslTemplateSchema,
} as const;

export type ContractName = keyof typeof contractSchemas;
