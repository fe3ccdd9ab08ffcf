// The package's entry `@platform/components/certificates`: cert-manager and the environment's CA.
// Loads @pulumi/kubernetes.
export { CertManager } from "./cert-manager";
export type { CertManagerArgs, CertManagerMode, CertificateIssuer } from "./index";
