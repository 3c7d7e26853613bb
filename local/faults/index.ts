// Fault injection in the local engine: a fault proxy in front of each service the functions call (DynamoDB,
// S3, Secrets Manager, EventBridge, the MCP gateway), the Lambda faults the function host plays, and an
// admin endpoint on loopback to read, replace or clear the profile while the engine runs:
//
//   GET    /faults   the profile in force, its seed, and how often each fault was injected
//   PUT    /faults   a new profile (JSON or YAML body), validated first; its windows start now
//   DELETE /faults   no faults from now on
//
// The functions only see other endpoints: their code paths are those they run against AWS.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { EngineConfig } from "../../infra/config.ts";
import type { EngineResourceNames } from "../../infra/functions/environment.ts";
import type { FaultService } from "../../schemas/fault-profile.ts";
import type { RegistryEntry } from "../../schemas/records.ts";
import type { RequestGuard } from "../iam/guard-proxy.ts";
import { faultAnswer } from "./answers.ts";
import { type HostFault, lambdaFaultFor } from "./lambda-faults.ts";
import { createFaultPlan, type FaultPlan, type FaultPlanState } from "./plan.ts";
import { type FaultProfile, FaultProfileError, parseFaultProfile, validateFaultProfile } from "./profile.ts";
import { describeRequest, signerKey } from "./requests.ts";
import { type FaultTargets, faultTargets } from "./targets.ts";
import { type FaultProxy, startFaultProxy } from "./wire-proxy.ts";

export type { FaultPlanState } from "./plan.ts";
export type { FaultProfile } from "./profile.ts";

export interface FaultedServices {
  dynamodbEndpoint: string;
  s3Endpoint: string;
  secretsManagerEndpoint: string;
  eventBridgeEndpoint: string;
  /** The gateway's origin (scheme, host, port); its MCP and token paths stay the same behind the proxy. */
  gatewayOrigin: string;
  /**
   * The IAM guards of the services that have one (local/services.ts): their proxies send to the guarded
   * engine and judge each request themselves, rather than through the guard's own endpoint.
   */
  guards?: { dynamodb?: RequestGuard; s3?: RequestGuard };
}

export interface FaultInjectionOptions {
  services: FaultedServices;
  resources: EngineResourceNames;
  /** The registry the engine serves: its tools are the gateway's targets. */
  registry: readonly RegistryEntry[];
  /** The engine function a SigV4 access key belongs to. */
  functionOfKey(accessKeyId: string): string | undefined;
  profile?: FaultProfile;
  adminPort?: number;
}

export interface FaultInjection {
  targets: FaultTargets;
  /** The SDK endpoint variables the functions get: every service behind its fault proxy. */
  environment: Record<string, string>;
  /** The stack config as the functions get it: the gateway's URLs point at its fault proxy. */
  behindProxies(config: EngineConfig): EngineConfig;
  /** The admin endpoint's URL (`.../faults`). */
  admin: string;
  /** The Lambda fault to play on one invocation, if any. */
  lambdaFault(functionId: string, event: unknown, timeoutMs: number): HostFault | undefined;
  /** Validates and applies a profile (parsed JSON or YAML); its windows start now. */
  apply(profile: unknown): FaultPlanState;
  clear(): FaultPlanState;
  state(): FaultPlanState;
  stop(): Promise<void>;
}

const proxiedServices = [
  ["dynamodb", "dynamodbEndpoint", "DYNAMODB"],
  ["s3", "s3Endpoint", "S3"],
  ["secretsmanager", "secretsManagerEndpoint", "SECRETS_MANAGER"],
  ["eventbridge", "eventBridgeEndpoint", "EVENTBRIDGE"],
  ["gateway", "gatewayOrigin", undefined],
] as const satisfies readonly [Exclude<FaultService, "lambda">, keyof FaultedServices, string | undefined][];

export async function startFaultInjection(options: FaultInjectionOptions): Promise<FaultInjection> {
  const targets = faultTargets(options.registry, options.resources);
  const plan: FaultPlan = createFaultPlan();
  if (options.profile) plan.apply(validateFaultProfile(options.profile, targets));
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne();
  };

  try {
    const proxies = await Promise.all(
      proxiedServices.map(async ([service, endpoint]): Promise<FaultProxy> => {
        const guard = service === "dynamodb" || service === "s3" ? options.services.guards?.[service] : undefined;
        const proxy = await startFaultProxy({
          upstream: guard ?? options.services[endpoint],
          judge: (request) => {
            const described = describeRequest(service, request, targets.byService[service]);
            if (!described) return undefined;
            const key = signerKey(request.headers);
            const caller = key === undefined ? undefined : options.functionOfKey(key);
            const decision = plan.decide({ ...described.request, ...(caller ? { caller } : {}) });
            return decision && { decision, answer: faultAnswer(decision.fault, described.context) };
          },
        });
        stoppers.push(proxy.stop);
        return proxy;
      }),
    );
    const environment: Record<string, string> = {};
    proxiedServices.forEach(([, , variable], index) => {
      if (variable) environment[`AWS_ENDPOINT_URL_${variable}`] = (proxies[index] as FaultProxy).endpoint;
    });
    const gatewayOrigin = (proxies[proxiedServices.length - 1] as FaultProxy).endpoint;

    const apply = (value: unknown) => {
      plan.apply(validateFaultProfile(value, targets));
      return plan.state();
    };
    const admin = await startAdmin(options.adminPort ?? 0, {
      apply: (text) => {
        plan.apply(parseFaultProfile(text, targets, "the profile sent"));
        return plan.state();
      },
      clear: () => {
        plan.clear();
        return plan.state();
      },
      state: () => plan.state(),
    });
    stoppers.push(admin.stop);

    const behindGatewayProxy = (url: string) => {
      const moved = new URL(url);
      return url.startsWith(options.services.gatewayOrigin) ? `${gatewayOrigin}${moved.pathname}${moved.search}` : url;
    };
    return {
      targets,
      environment,
      behindProxies: (config) => ({
        ...config,
        gateway: {
          ...config.gateway,
          url: behindGatewayProxy(config.gateway.url),
          tokenUrl: behindGatewayProxy(config.gateway.tokenUrl),
        },
      }),
      admin: admin.url,
      lambdaFault: (functionId, event, timeoutMs) => lambdaFaultFor(plan, functionId, event, timeoutMs),
      apply,
      clear: () => {
        plan.clear();
        return plan.state();
      },
      state: () => plan.state(),
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface AdminActions {
  apply(text: string): FaultPlanState;
  clear(): FaultPlanState;
  state(): FaultPlanState;
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  response.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  response.end(text);
}

async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

async function startAdmin(port: number, actions: AdminActions): Promise<{ url: string; stop(): Promise<void> }> {
  const server = createServer(async (request, response) => {
    const { pathname } = new URL(request.url ?? "/", "http://local");
    if (pathname !== "/faults") return reply(response, 404, { error: "not found: the admin endpoint is /faults" });
    try {
      switch (request.method) {
        case "GET":
          return reply(response, 200, actions.state());
        case "PUT":
        case "POST":
          return reply(response, 200, actions.apply(await readText(request)));
        case "DELETE":
          return reply(response, 200, actions.clear());
        default:
          return reply(response, 405, { error: `${request.method} is not served; use GET, PUT or DELETE` });
      }
    } catch (error) {
      if (error instanceof FaultProfileError) return reply(response, 400, { error: error.message });
      return reply(response, 500, { error: String(error) });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", resolve);
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/faults`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
