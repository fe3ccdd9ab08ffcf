// One Service of @platform/components, used as any program outside the repository would: imports
// from the package's entries (`/service` loads @pulumi/kubernetes only), its own providers, its own
// owner facts.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { Owner } from "@platform/components/conventions";
import { MeshFacts, SERVICE_DEFAULTS, Service } from "@platform/components/service";

const config = new pulumi.Config();
const service = config.require("service");

// The facts every resource carries (labels, annotations); a real program reads them from its
// environment's settings.
const owner: Owner = {
    environment: {
        env: config.require("env"),
        region: "eu-central-1",
        team: "catalog-team",
        contact: "catalog-team@example.com",
        timeZone: "Europe/Berlin",
        startTime: "07:00",
        stopTime: "19:00",
    },
    service,
};

// The mesh as the platform's common layer installs it (its outputs say so).
const mesh: MeshFacts = {
    trustDomain: "cluster.local",
    revision: "",
    gatewayNamespace: "istio-ingress",
    gatewayName: "istio-ingressgateway",
    istioNamespace: "istio-system",
    observabilityNamespace: "observability",
};

// Default providers are disabled (Pulumi.yaml): the component gets the cluster's provider.
const kubernetes = new k8s.Provider("cluster", { kubeconfig: config.require("kubeconfig") });

const catalog = new Service(service, {
    owner,
    settings: {
        ...SERVICE_DEFAULTS,
        replicas: 2,
        versions: [{ name: "v1", image: config.require("image"), weight: 100 }],
        allowedCallers: [{ service: "frontend", methods: ["GET"], paths: ["/items*"] }],
        exposed: false,
        deniedSourceCidrs: [],
        requiredHeaders: [],
    },
    mesh,
    zoneName: "dev.internal.example.com",
    callees: [],
    vpcCidr: "10.20.0.0/16",
    certificateIssuer: "",
    providers: { kubernetes },
});

export const namespace = catalog.namespace;
export const serviceAccount = catalog.serviceAccount;
export const principal = catalog.principal;
export const host = catalog.host;
