// The engine's state: its DynamoDB tables, declared from the shared data layout, and the artifacts bucket
// for raw tool responses. Tables the organisation already has (intents, ledger, signals) can be adopted
// by name instead of created.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type TableLayout, type TableName, tables } from "../../functions/kernel/data-layout.ts";

export interface TableRef {
  name: pulumi.Output<string>;
  arn: pulumi.Output<string>;
}

export interface EngineDataArgs {
  namePrefix: string;
  protect: boolean;
  artifactsRetentionDays: number;
  artifactsNoncurrentRetentionDays: number;
  /** Existing table names to use instead of creating these tables. */
  adopt?: Partial<Record<"intents" | "ledger" | "signals", string>>;
}

/** The arguments of one table, from its layout: on demand, PITR, encryption, TTL where the layout has one. */
export function tableArgs(physicalName: string, layout: TableLayout, protect: boolean): aws.dynamodb.TableArgs {
  const keys = [
    layout.partitionKey,
    ...(layout.sortKey ? [layout.sortKey] : []),
    ...layout.globalIndexes.flatMap((index) => [index.partitionKey, index.sortKey]),
  ];
  return {
    name: physicalName,
    billingMode: "PAY_PER_REQUEST",
    hashKey: layout.partitionKey.name,
    rangeKey: layout.sortKey?.name,
    attributes: [...new Map(keys.map((key) => [key.name, key.type])).entries()].map(([name, type]) => ({ name, type })),
    globalSecondaryIndexes: layout.globalIndexes.map((index) => ({
      name: index.name,
      hashKey: index.partitionKey.name,
      rangeKey: index.sortKey.name,
      projectionType: "ALL",
    })),
    pointInTimeRecovery: { enabled: true },
    serverSideEncryption: { enabled: true },
    ttl: layout.ttlAttribute ? { attributeName: layout.ttlAttribute, enabled: true } : undefined,
    deletionProtectionEnabled: protect,
  };
}

/**
 * The artifacts bucket's lifecycle. The bucket is versioned, so expiring an artifact only hides it behind a
 * delete marker: its old versions expire after their own period, and the markers left with no version
 * behind them are removed. S3 refuses `expiredObjectDeleteMarker` in an expiration that has `days` or `date`
 * (https://docs.aws.amazon.com/AmazonS3/latest/API/API_LifecycleExpiration.html): it gets a rule of its own.
 */
export function artifactsLifecycleRules(retention: {
  currentDays: number;
  noncurrentDays: number;
}): aws.types.input.s3.BucketLifecycleConfigurationRule[] {
  return [
    {
      id: "expire-artifacts",
      status: "Enabled",
      filter: {},
      expiration: { days: retention.currentDays },
      noncurrentVersionExpiration: { noncurrentDays: retention.noncurrentDays },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
    {
      id: "remove-expired-delete-markers",
      status: "Enabled",
      filter: {},
      expiration: { expiredObjectDeleteMarker: true },
    },
  ];
}

export class EngineData extends pulumi.ComponentResource {
  readonly tables: Record<TableName, TableRef>;
  readonly artifactsBucket: { name: pulumi.Output<string>; arn: pulumi.Output<string> };

  constructor(name: string, args: EngineDataArgs, opts?: pulumi.ComponentResourceOptions) {
    super("engine:data:EngineData", name, {}, opts);
    const child = { parent: this, protect: args.protect };

    this.tables = Object.fromEntries(
      (Object.entries(tables) as [TableName, TableLayout][]).map(([table, layout]) => {
        const adopted = args.adopt?.[table as keyof NonNullable<EngineDataArgs["adopt"]>];
        if (adopted) {
          const existing = aws.dynamodb.getTableOutput({ name: adopted }, { parent: this });
          return [table, { name: existing.name, arn: existing.arn }];
        }
        const created = new aws.dynamodb.Table(
          `${name}-${table}`,
          tableArgs(`${args.namePrefix}-${table}`, layout, args.protect),
          child,
        );
        return [table, { name: created.name, arn: created.arn }];
      }),
    ) as Record<TableName, TableRef>;

    const bucket = new aws.s3.Bucket(
      `${name}-artifacts`,
      { bucketPrefix: `${args.namePrefix}-artifacts-`.toLowerCase().slice(0, 37), forceDestroy: !args.protect },
      child,
    );
    new aws.s3.BucketPublicAccessBlock(
      `${name}-artifacts-public-access`,
      {
        bucket: bucket.id,
        blockPublicAcls: true,
        blockPublicPolicy: true,
        ignorePublicAcls: true,
        restrictPublicBuckets: true,
      },
      child,
    );
    new aws.s3.BucketOwnershipControls(
      `${name}-artifacts-ownership`,
      { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } },
      child,
    );
    new aws.s3.BucketVersioning(
      `${name}-artifacts-versioning`,
      { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } },
      child,
    );
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-artifacts-encryption`,
      {
        bucket: bucket.id,
        rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms" }, bucketKeyEnabled: true }],
      },
      child,
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-artifacts-lifecycle`,
      {
        bucket: bucket.id,
        rules: artifactsLifecycleRules({
          currentDays: args.artifactsRetentionDays,
          noncurrentDays: args.artifactsNoncurrentRetentionDays,
        }),
      },
      child,
    );
    this.artifactsBucket = { name: bucket.bucket, arn: bucket.arn };

    this.registerOutputs({
      tableNames: Object.fromEntries(Object.entries(this.tables).map(([table, ref]) => [table, ref.name])),
      artifactsBucketName: this.artifactsBucket.name,
    });
  }
}
