/**
 * The VPC flow log's retention and the IAM policy documents of its role, as plain data.
 * https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */

/** One list of retention periods for every log group of the platform. */
export { LOG_RETENTION_DAYS, checkRetentionDays } from "../cloudwatch";

/** The service principal that delivers VPC flow logs. */
export const FLOW_LOGS_SERVICE = "vpc-flow-logs.amazonaws.com";

/** An IAM policy document with a stable key order. */
export interface PolicyDocument {
    readonly Version: "2012-10-17";
    readonly Statement: readonly Record<string, unknown>[];
}

/**
 * Trust policy: only the flow logs service may assume the role, and only for flow logs of this
 * account (`aws:SourceAccount`, against the confused deputy) in this region (`aws:SourceArn`).
 */
export function flowLogTrustPolicy(accountId: string, region: string, partition = "aws"): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "VpcFlowLogsAssumeRole",
                Effect: "Allow",
                Principal: { Service: FLOW_LOGS_SERVICE },
                Action: "sts:AssumeRole",
                Condition: {
                    StringEquals: { "aws:SourceAccount": accountId },
                    ArnLike: { "aws:SourceArn": `arn:${partition}:ec2:${region}:${accountId}:vpc-flow-log/*` },
                },
            },
        ],
    };
}

/**
 * Permissions: write log streams and events into the one log group the stack creates. The AWS
 * example policy also grants `logs:CreateLogGroup` and `logs:DescribeLogGroups` on `*`; neither is
 * needed because the group already exists.
 */
export function flowLogPermissionsPolicy(logGroupArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Sid: "WriteFlowLogs",
                Effect: "Allow",
                Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                Resource: [logGroupArn, `${logGroupArn}:log-stream:*`],
            },
        ],
    };
}
