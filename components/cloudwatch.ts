/**
 * CloudWatch Logs facts shared by every log group the platform creates (the VPC flow log, the
 * EKS control-plane logs): one list, one check, used by the components and the config layer.
 */

/**
 * The retention periods CloudWatch Logs accepts, in days.
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutRetentionPolicy.html
 */
export const LOG_RETENTION_DAYS: readonly number[] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Why `days` is not a CloudWatch retention period, or undefined when it is one. */
export function checkRetentionDays(days: number): string | undefined {
    return LOG_RETENTION_DAYS.includes(days)
        ? undefined
        : `not a CloudWatch Logs retention period; allowed: ${LOG_RETENTION_DAYS.join(", ")} (days)`;
}
