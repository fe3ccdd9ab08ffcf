// The offline plan records no resource's source position (where in the program it was created),
// and the SDK finds one for every resource by capturing and parsing a full stack trace (source-mapped
// through ts-node): at 5,000 resources, about a second. Installed by the plan (plan/evaluate.ts),
// never by the program the engine runs, where the engine shows those positions. (The start-up probe
// runs under the same harness, so its "running it" leaves that cost out too.)
import * as pulumi from "@pulumi/pulumi";
import { SdkChangedError } from "../infra/sdk";

/** Resources registered from now on in this process carry no stack trace or source position. */
export function skipSourcePositions(): void {
    const resource = pulumi.Resource as unknown as { stackTrace?: unknown };
    if (typeof resource.stackTrace !== "function") {
        throw new SdkChangedError("Resource.stackTrace", "the offline plan (to skip source positions)");
    }
    resource.stackTrace = () => [];
}
