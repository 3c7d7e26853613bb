// Setup file of the test files that run the Pulumi runtime under mocks in one shared module graph: the
// runtime is process-wide, so each file waits for its outstanding registrations before the next file
// installs its own mocks, or a late registration would be recorded among the next file's resources.
import * as pulumi from "@pulumi/pulumi";
import { afterAll } from "vitest";

afterAll(() => pulumi.runtime.disconnect());
