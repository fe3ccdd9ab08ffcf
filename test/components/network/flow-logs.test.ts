import * as assert from "assert";
import { checkRetentionDays, flowLogPermissionsPolicy, flowLogTrustPolicy } from "../../../components/network";

describe("components/network/flow-logs", () => {
    it("the trust policy lets only vpc-flow-logs.amazonaws.com assume the role, for this account's flow logs in this region", () => {
        assert.deepStrictEqual(flowLogTrustPolicy("123456789012", "eu-central-1"), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "VpcFlowLogsAssumeRole",
                    Effect: "Allow",
                    Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                    Action: "sts:AssumeRole",
                    Condition: {
                        StringEquals: { "aws:SourceAccount": "123456789012" },
                        ArnLike: { "aws:SourceArn": "arn:aws:ec2:eu-central-1:123456789012:vpc-flow-log/*" },
                    },
                },
            ],
        });
    });

    it("the trust policy follows the partition", () => {
        const doc = flowLogTrustPolicy("123456789012", "us-gov-west-1", "aws-us-gov");
        assert.strictEqual(
            (doc.Statement[0].Condition as any).ArnLike["aws:SourceArn"],
            "arn:aws-us-gov:ec2:us-gov-west-1:123456789012:vpc-flow-log/*",
        );
    });

    it("the permissions write streams and events into the one log group and nothing else", () => {
        const arn = "arn:aws:logs:eu-central-1:123456789012:log-group:dev-global-flow-log-group";
        assert.deepStrictEqual(flowLogPermissionsPolicy(arn), {
            Version: "2012-10-17",
            Statement: [
                {
                    Sid: "WriteFlowLogs",
                    Effect: "Allow",
                    Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
                    Resource: [arn, `${arn}:log-stream:*`],
                },
            ],
        });
        assert.ok(!JSON.stringify(flowLogPermissionsPolicy(arn)).includes('"*"'), "no wildcard resource");
    });

    it("the documents serialise with a stable key order", () => {
        assert.strictEqual(
            JSON.stringify(flowLogPermissionsPolicy("arn:x")),
            '{"Version":"2012-10-17","Statement":[{"Sid":"WriteFlowLogs","Effect":"Allow","Action":["logs:CreateLogStream","logs:DescribeLogStreams","logs:PutLogEvents"],"Resource":["arn:x","arn:x:log-stream:*"]}]}',
        );
    });

    it("retention must be one of CloudWatch's periods", () => {
        for (const ok of [1, 7, 30, 365, 3653]) {
            assert.strictEqual(checkRetentionDays(ok), undefined);
        }
        for (const bad of [0, 2, 10, 31, 3654, -1]) {
            assert.strictEqual(
                checkRetentionDays(bad),
                "not a CloudWatch Logs retention period; allowed: 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653 (days)",
            );
        }
    });
});
