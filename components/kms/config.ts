import { z } from "zod";
import { configKey } from "../config";

/**
 * The config key of the administrators of a layer's customer-managed KMS keys, in two slices: the
 * Network's (the flow log's key, global stack) and the Cluster's (the EKS secrets and control-plane
 * log keys, common stack). Checked by the slices with `keyAdminArnsProblems` (./policies.ts).
 */
export const KMS_KEY_ADMINS_KEY = configKey(z.array(z.string()), [], {
    description:
        "IAM role or user ARNs that administer the layer's customer-managed KMS keys (flow-log key in the global stack; EKS secrets and control-plane log keys in the common stack): manage, rotate, re-policy and delete them, never encrypt or decrypt. At least one; the role that runs pulumi up must be listed. Set in each of the two stacks.",
    mandatory: true,
});
