import * as fs from "fs";

const taggable = new Map<string, boolean>();

/**
 * Whether an AWS resource type takes tags: its @pulumi/aws class has a `tagsAll` output
 * (`aws:ec2/vpc:Vpc` -> @pulumi/aws/ec2/vpc.js). Read from the installed provider SDK, so a new
 * resource type is covered without a list to maintain.
 */
export function isTaggableAwsType(type: string): boolean {
    const cached = taggable.get(type);
    if (cached !== undefined) {
        return cached;
    }
    const m = /^aws:([^/]+)\/([^:]+):/.exec(type);
    let result = false;
    if (m) {
        try {
            const file = require.resolve(`@pulumi/aws/${m[1]}/${m[2]}.js`);
            result = fs.readFileSync(file, "utf8").includes('"tagsAll"');
        } catch {
            result = false;
        }
    }
    taggable.set(type, result);
    return result;
}
