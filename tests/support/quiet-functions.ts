// Setup file: the functions' log and EMF lines are kept per test and shown only for a failed test.
import { keepFunctionOutput } from "./function-output.ts";

keepFunctionOutput();
