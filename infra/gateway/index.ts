// Where the tool-calling functions read the gateway's OAuth client secret: an existing Secrets Manager
// secret named in config, or one this stack creates from the Pulumi secret `gatewayClientSecret`.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface GatewayCredentialsArgs {
  namePrefix: string;
  existingSecretArn?: string;
  clientSecret?: pulumi.Output<string>;
  protect: boolean;
}

export class GatewayCredentials extends pulumi.ComponentResource {
  readonly secretArn: pulumi.Output<string>;

  constructor(name: string, args: GatewayCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:gateway:GatewayCredentials", name, {}, opts);
    if (args.existingSecretArn) {
      this.secretArn = pulumi.output(args.existingSecretArn);
    } else if (args.clientSecret) {
      const secret = new aws.secretsmanager.Secret(
        `${name}-client-secret`,
        {
          name: `${args.namePrefix}/gateway-client-secret`,
          description: "OAuth client secret the engine presents to the MCP gateway's token endpoint",
        },
        { parent: this, protect: args.protect },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-client-secret-value`,
        { secretId: secret.id, secretString: args.clientSecret },
        { parent: this },
      );
      this.secretArn = secret.arn;
    } else {
      throw new Error("GatewayCredentials needs an existing secret ARN or a client secret");
    }
    this.registerOutputs({ secretArn: this.secretArn });
  }
}
