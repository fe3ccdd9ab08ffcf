import { InvokeFake, ResourceFake } from "./context";

/** Fake outputs of the common layer's resources (EKS, mesh, observability), by type token. */
export const CLUSTER_RESOURCE_FAKES: Record<string, ResourceFake> = {};

/** Fake invokes the common layer makes, by token. */
export const CLUSTER_INVOKE_FAKES: Record<string, InvokeFake> = {};
