// asl-validator ships no types; this declares the call the project makes.
declare module "asl-validator" {
  interface AslValidationResult {
    isValid: boolean;
    errors: { "Error code": string; Message: string }[];
    errorsText(separator?: string): string;
  }
  export default function aslValidator(
    definition: unknown,
    options?: { checkPaths?: boolean; checkArn?: boolean },
  ): AslValidationResult;
}
