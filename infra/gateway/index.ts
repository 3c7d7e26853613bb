// Where the tool-calling functions read the gateway's OAuth client secret: an existing Secrets Manager
// secret named in config, or one this stack creates from the Pulumi secret `gatewayClientSecret`.
// Either way the functions get the secret's full ARN (IAM matches it, random suffix included) and, when
// a customer-managed KMS key encrypts it, that key's ARN, which their role must be allowed to decrypt with.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface GatewayCredentialsArgs {
  namePrefix: string;
  /** An existing secret: its name, partial ARN or full ARN. */
  existingSecretId?: string;
  clientSecret?: pulumi.Output<string>;
  /** For a secret this stack creates: days it stays recoverable after deletion (0, or 7 to 30). */
  recoveryWindowDays: number;
  protect: boolean;
}

/** The secret as IAM must name it. */
export interface GatewaySecretRef {
  /** The full ARN, `...:secret:<name>-<6 characters>`. */
  arn: string;
  /** The customer-managed KMS key encrypting the secret, as a key ARN; absent for the AWS-managed key. */
  kmsKeyArn?: string;
}

/**
 * How to look a configured secret up. Secrets Manager resolves a partial ARN to the one secret it matches,
 * but a partial ARN or name ending in `-` and six characters reads as a full ARN
 * (https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_DescribeSecret.html), so the stack
 * asks rather than appending a suffix pattern itself.
 */
export function secretLookup(secretId: string): { arn: string } | { name: string } {
  return secretId.startsWith("arn:") ? { arn: secretId } : { name: secretId };
}

const awsManagedSecretsKey = /(^|:)alias\/aws\/secretsmanager$/;

/**
 * The secret's KMS key when it is one the customer manages. DescribeSecret omits the key for the
 * AWS-managed `aws/secretsmanager` key, whose key policy already lets Secrets Manager decrypt for any
 * principal allowed to read the secret: no statement is needed then.
 */
export function customerManagedKeyId(kmsKeyId: string | undefined): string | undefined {
  return kmsKeyId && !awsManagedSecretsKey.test(kmsKeyId) ? kmsKeyId : undefined;
}

export class GatewayCredentials extends pulumi.ComponentResource {
  readonly secret: pulumi.Output<GatewaySecretRef>;

  constructor(name: string, args: GatewayCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:gateway:GatewayCredentials", name, {}, opts);
    if (args.existingSecretId) {
      const existing = aws.secretsmanager.getSecretOutput(secretLookup(args.existingSecretId), { parent: this });
      // An alias names a key IAM cannot match on: resolve it to the key's ARN.
      const kmsKeyArn = existing.kmsKeyId.apply((kmsKeyId) => {
        const keyId = customerManagedKeyId(kmsKeyId);
        return keyId ? aws.kms.getKeyOutput({ keyId }, { parent: this }).arn : undefined;
      });
      this.secret = pulumi
        .all([existing.arn, kmsKeyArn])
        .apply(([arn, keyArn]): GatewaySecretRef => (keyArn ? { arn, kmsKeyArn: keyArn } : { arn }));
    } else if (args.clientSecret) {
      const secret = new aws.secretsmanager.Secret(
        `${name}-client-secret`,
        {
          name: `${args.namePrefix}/gateway-client-secret`,
          description: "OAuth client secret the engine presents to the MCP gateway's token endpoint",
          recoveryWindowInDays: args.recoveryWindowDays,
        },
        { parent: this, protect: args.protect },
      );
      new aws.secretsmanager.SecretVersion(
        `${name}-client-secret-value`,
        { secretId: secret.id, secretString: args.clientSecret },
        { parent: this },
      );
      // Encrypted with the AWS-managed key: no key of our own to grant.
      this.secret = secret.arn.apply((arn): GatewaySecretRef => ({ arn }));
    } else {
      throw new Error("GatewayCredentials needs an existing secret or a client secret");
    }
    this.registerOutputs({ secret: this.secret });
  }
}
