import { InvokeFake, ResourceFake } from "./context";

/** Fake outputs of the global layer's resources (network, DNS), by type token. */
export const NETWORK_RESOURCE_FAKES: Record<string, ResourceFake> = {};

/** Fake invokes the global layer makes, by token. */
export const NETWORK_INVOKE_FAKES: Record<string, InvokeFake> = {};
