// IAM policy documents as the program builds them: plain data that tests read and `JSON.stringify` deploys.
export interface PolicyStatement {
  Sid: string;
  Effect: "Allow";
  Principal?: { Service: string };
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}
