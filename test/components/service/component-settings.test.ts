import * as assert from "assert";
import * as k8s from "@pulumi/kubernetes";
import {
    Service,
    ServiceArgs,
    ServiceOptions,
    deriveServiceSettings,
    serviceComponentSettings,
    validateServiceArgs,
} from "../../../components/service";
import { isValidated, validatedOnce } from "../../../components/config";
import { describeProblem } from "../../../components/problems";
import { DEV_ENVIRONMENT } from "../../helpers/fixtures";
import { itChecksProviders } from "../../helpers/providers";
import { useMocks } from "../../../plan/evaluate";
import { MESH, settings } from "./settings";

const options = (extra: Partial<ServiceOptions> = {}): ServiceOptions => ({
    owner: { environment: DEV_ENVIRONMENT, service: "backend" },
    settings: settings(),
    mesh: MESH,
    zoneName: "dev.internal.example.com",
    callees: ["payment"],
    vpcCidr: "10.20.0.0/16",
    certificateIssuer: "dev-common-ca-issuer",
    ...extra,
});
const STRIPE = { host: "api.stripe.com", port: 443, protocol: "HTTPS" } as const;

describe("components/service/settings: what the Service component builds from", () => {
    describe("deriveServiceSettings", () => {
        it("a service not exposed, with no external hosts: its namespace, account, principal and host; no public host", () => {
            assert.deepStrictEqual(deriveServiceSettings(options()), {
                service: "backend",
                namespace: "backend",
                serviceAccount: "backend",
                principal: "cluster.local/ns/backend/sa/backend",
                host: "backend.backend.svc.cluster.local",
                externalHosts: [],
            });
        });

        it("an exposed service's public host is publicHost, else <service>.<zone>; external hosts are kept as given", () => {
            const exposed = deriveServiceSettings(
                options({ settings: settings({ exposed: true, externalHosts: [STRIPE] }) }),
            );
            assert.strictEqual(exposed.publicHost, "backend.dev.internal.example.com");
            assert.deepStrictEqual(exposed.externalHosts, [STRIPE]);
            const named = deriveServiceSettings(
                options({ settings: settings({ exposed: true, publicHost: "shop.dev.internal.example.com" }) }),
            );
            assert.strictEqual(named.publicHost, "shop.dev.internal.example.com");
            // publicHost without exposed: nothing on the gateway.
            const hidden = deriveServiceSettings(
                options({ settings: settings({ publicHost: "shop.dev.internal.example.com" }) }),
            );
            assert.strictEqual("publicHost" in hidden, false);
        });

        it("the principal is in the mesh's trust domain", () => {
            const settingsOf = deriveServiceSettings(options({ mesh: { ...MESH, trustDomain: "prod.example.com" } }));
            assert.strictEqual(settingsOf.principal, "prod.example.com/ns/backend/sa/backend");
        });
    });

    describe("validateServiceArgs: the service's description checked once", () => {
        it("refuses settings given in code that name the service itself as a caller (its owner)", () => {
            const self = { ...settings(), allowedCallers: [{ service: "backend" }] };
            assert.deepStrictEqual(validateServiceArgs(options({ settings: self })).problems.map(describeProblem), [
                'allowedCallers[0].service = "backend": the service itself: a rule for its own pods is not offered (the access graph has no edge from a service to itself); allowed: another service of the environment',
            ]);
        });

        it("checks settings given in code, but not settings its config slice checked and froze", () => {
            const bad = { ...settings(), replicas: 0 };
            assert.deepStrictEqual(validateServiceArgs(options({ settings: bad })).problems.map(describeProblem), [
                "replicas = 0: out of range; allowed: a whole number from 1 to 100",
            ]);
            // What validatedOnce marks is not checked again (the slice marks only what it checked).
            const marked = validatedOnce({ ...settings(), replicas: 0 });
            assert.ok(isValidated(marked));
            assert.deepStrictEqual(validateServiceArgs(options({ settings: marked })).problems, []);
            assert.ok(!isValidated(bad));
        });

        it("freezes what it marks, lists and maps too, so it cannot change after its checks", () => {
            const marked = validatedOnce(settings({ allowedCallers: [{ service: "frontend" }] }));
            assert.throws(() => {
                (marked as { replicas: number }).replicas = 0;
            }, TypeError);
            assert.throws(() => {
                (marked.allowedCallers as { service?: string }[]).push({ service: "payment" });
            }, TypeError);
        });
    });

    describe("serviceComponentSettings", () => {
        let kubernetes: k8s.Provider;
        before(() => {
            useMocks("dev");
            kubernetes = new k8s.Provider("kubernetes", {});
        });

        it("the settings of good arguments are what deriveServiceSettings makes of them", () => {
            assert.deepStrictEqual(
                serviceComponentSettings({ ...options(), providers: { kubernetes } }),
                deriveServiceSettings(options()),
            );
        });

        itChecksProviders<ServiceArgs>({
            component: "Service",
            name: "backend",
            heading: 'invalid Service "backend":',
            pkg: "kubernetes",
            args: (providers) => ({ ...options(), providers }),
            otherProblem: {
                args: { vpcCidr: "10.20.0.0" },
                line: 'vpcCidr = "10.20.0.0": not an IPv4 CIDR block; the egress NetworkPolicy needs the environment\'s VPC, e.g. 10.0.0.0/16',
            },
            settings: (_name, a) => serviceComponentSettings(a),
            create: (name, a) => new Service(name, a),
        });
    });
});
