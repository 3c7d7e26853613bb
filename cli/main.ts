// `npm run engine -- <command>`: the operator CLI (cli/run.ts has the commands and exit codes).
import { runCli } from "./run.ts";

process.exitCode = await runCli(process.argv.slice(2));
