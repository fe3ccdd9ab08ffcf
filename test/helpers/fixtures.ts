import { EnvironmentSettings } from "../../components/conventions";
import { CommonOutputs } from "../../layers/common/outputs";
import { GlobalOutputs } from "../../layers/global/outputs";
import { StackOutputsFixture } from "../../plan/mocks";

/** dev's environment settings, as test/fixtures/stacks/Pulumi.dev.yaml sets them. */
export const DEV_ENVIRONMENT: EnvironmentSettings = {
    env: "dev",
    region: "eu-central-1",
    team: "platform-team",
    contact: "platform-team@example.com",
    timeZone: "Europe/Berlin",
    startTime: "07:00",
    stopTime: "19:00",
};

/**
 * Canned outputs of dev's global and common stacks, for testing a layer on its own. The
 * environment plan (test/plan.test.ts) feeds each layer the real outputs of the one below.
 */
export const DEV_GLOBAL_OUTPUTS: GlobalOutputs = {
    ...DEV_ENVIRONMENT,
    vpcId: "dev-global-vpc-id",
    vpcCidr: "10.20.0.0/16",
    availabilityZones: ["eu-central-1a", "eu-central-1b", "eu-central-1c"],
    publicSubnetIds: [0, 1, 2].map((i) => `dev-global-public-subnet-${i}-id`),
    privateSubnetIds: [0, 1, 2].map((i) => `dev-global-private-subnet-${i}-id`),
    natGatewayIds: ["dev-global-nat-gateway-0-id"],
    privateZoneId: "dev-global-private-zone-id",
    privateZoneName: "dev.internal.example.com",
    clusterName: "dev-common-eks-cluster",
};

/** Plain form of CommonOutputs (the kubeconfig as a string), as a stack stores it. */
export type PlainCommonOutputs = Omit<CommonOutputs, "kubeconfig"> & { kubeconfig: string };

export const DEV_COMMON_OUTPUTS: PlainCommonOutputs = {
    clusterName: "dev-common-eks-cluster",
    kubeconfig: '{"apiVersion":"v1","kind":"Config","clusters":[],"contexts":[],"users":[]}',
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-central-1.amazonaws.com/id/FAKE",
    oidcProviderUrl: "https://oidc.eks.eu-central-1.amazonaws.com/id/FAKE",
    clusterSecurityGroupId: "sg-0123456789abcdef0",
    kubernetesVersion: "1.35",
    dataPlane: "sidecar",
    meshRevision: "",
    meshCanaryRevision: "",
    meshRevisionTags: {},
    istioNamespace: "istio-system",
    gatewayNamespace: "istio-ingress",
    gatewayName: "istio-ingressgateway",
    trustDomain: "cluster.local",
    prometheusUrl: "http://kube-prometheus-stack-prometheus.observability.svc.cluster.local:9090",
    grafanaUrl: "http://kube-prometheus-stack-grafana.observability.svc.cluster.local:80",
    jaegerCollectorEndpoint: "jaeger.observability.svc.cluster.local:4317",
    certificateIssuer: "dev-common-ca-issuer",
};

/** StackReference outputs of dev's global and common stacks, keyed as the program names them. */
export function devStackOutputs(organization = "organization"): Record<string, StackOutputsFixture> {
    return {
        [`${organization}/platform/dev`]: { outputs: { ...DEV_GLOBAL_OUTPUTS } },
        [`${organization}/platform/dev-common`]: {
            outputs: { ...DEV_COMMON_OUTPUTS },
            secretOutputNames: ["kubeconfig"],
        },
    };
}
