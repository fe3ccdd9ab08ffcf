import { InvokeFake, ResourceFake } from "./context";

/** Fake outputs of the service layer's resources, by type token. */
export const SERVICE_RESOURCE_FAKES: Record<string, ResourceFake> = {};

/** Fake invokes the service layer makes, by token. */
export const SERVICE_INVOKE_FAKES: Record<string, InvokeFake> = {};
