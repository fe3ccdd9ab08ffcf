// The component package's face, as it is published: what `npm pack` puts in the tarball and what
// that tarball exports, at run time and in its type declarations, must be exactly the public API
// listed here and in docs/package.md. npm test builds the package first (package.json "test").
import * as assert from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

const ROOT = path.join(__dirname, "..", "..");
const PACKAGE_DIR = path.join(ROOT, "components");
const PACKAGE_NAME = "@platform/components";

/**
 * The package's entries (`@platform/components/<entry>`), each one area's part of the public API:
 * its values (components, defaults, helpers, config slices) and types. The root exports them all.
 */
const ENTRIES: Readonly<Record<string, { readonly values: readonly string[]; readonly types: readonly string[] }>> = {
    conventions: {
        values: [
            "ProblemError",
            "RESERVED_SERVICE_NAMES",
            "SERVICE_NAME",
            "SERVICE_NAME_MAX",
            "SERVICE_NAME_RULE",
            "TAG_KEYS",
            "clusterNameFor",
            "describeProblem",
            "isServiceName",
            "kubernetesAnnotations",
            "kubernetesLabels",
            "kubernetesMetadata",
            "ownerTags",
            "resourceName",
            "resourceTags",
        ],
        types: [
            "ChartMirror",
            "ComponentProviders",
            "EnvironmentSettings",
            "NameKind",
            "NameParts",
            "Owner",
            "Problem",
            "ProblemKind",
            "ProviderPackage",
            "TagKey",
            "WorkloadLabels",
        ],
    },
    config: {
        values: [
            "CALLER_RULE",
            "CERT_MANAGER_CONFIG",
            "CHART_MIRROR_ALLOWED",
            "CLUSTER_CONFIG",
            "ENVIRONMENT_CONFIG",
            "ISTIO_CONFIG",
            "NETWORK_CONFIG",
            "OBSERVABILITY_CONFIG",
            "Problems",
            "REQUIRED",
            "SERVICE_CONFIG",
            "checked",
            "closedMap",
            "configKey",
            "emptyMeansNone",
            "field",
            "integerIn",
            "keysOfSlices",
            "narrowed",
            "nearest",
            "oneOf",
            "optionalString",
            "parseChartMirror",
            "requiredString",
            "settingsOfSlices",
            "wholeNumber",
        ],
        types: [
            "ClusterConfig",
            "ConfigSlice",
            "Intersection",
            "IstioConfig",
            "KeyMeta",
            "KeyShape",
            "NetworkConfig",
            "ObservabilityConfig",
            "SliceContext",
            "SliceValues",
            "Slices",
        ],
    },
    network: {
        values: ["Network"],
        types: ["NatStrategy", "NetworkArgs", "SubnetPlan"],
    },
    cluster: {
        values: [
            "Cluster",
            "ExternalDns",
            "KUBERNETES_VERSION",
            "LoadBalancerController",
            "kubernetesUpgradeProblem",
            "kubernetesVersionProblem",
        ],
        types: [
            "CapacityType",
            "ClusterAccess",
            "ClusterArgs",
            "DnsZone",
            "ExternalDnsArgs",
            "ExternalDnsOptions",
            "LoadBalancerControllerArgs",
            "LoadBalancerControllerOptions",
            "NodeGroupSpec",
            "NodeTaint",
            "TaintEffect",
        ],
    },
    mesh: {
        values: ["ISTIO_NAMESPACE", "Istio"],
        types: [
            "IstioArgs",
            "IstiodWebhooks",
            "LoadBalancerScheme",
            "MeshDataPlane",
            "OutboundTrafficPolicy",
            "TracingCollector",
        ],
    },
    observability: {
        values: ["Observability", "ObservabilityFence"],
        types: ["ObservabilityArgs", "ObservabilityFenceArgs", "ObservabilityStorage", "PrometheusStackVersion"],
    },
    certificates: {
        values: ["CertManager"],
        types: ["CertManagerArgs", "CertManagerMode", "CertificateIssuer"],
    },
    addons: {
        values: ["installAddOns", "usedAddOn"],
        types: ["AddOn", "AddOns", "Installed"],
    },
    service: {
        values: [
            "DATA_PLANE_MODES",
            "DEFAULT_DATA_PLANE",
            "MESH_DEFAULTS",
            "OBSERVABILITY_NAMESPACE",
            "SERVICE_DEFAULTS",
            "Service",
            "calleesOf",
            "dataPlaneModeProblems",
            "exposedHost",
            "hostZoneProblem",
            "systemNamespaceOwner",
            "systemNamespacesText",
        ],
        types: [
            "AutoscalingSpec",
            "CallerRule",
            "DataPlaneMode",
            "ExternalHostSpec",
            "ExternalProtocol",
            "GraphService",
            "HttpMethod",
            "JwtSpec",
            "MeshFacts",
            "Protocol",
            "QuotaSpec",
            "RateLimitSpec",
            "ResourcesSpec",
            "ServiceArgs",
            "ServiceSettings",
            "VersionSpec",
        ],
    },
};

/** The root's values and types: every entry's. */
const PUBLIC_VALUES = [...new Set(Object.values(ENTRIES).flatMap((e) => e.values))];
const PUBLIC_TYPES = [...new Set(Object.values(ENTRIES).flatMap((e) => e.types))];

const sorted = (names: Iterable<string>): string[] => [...names].sort();

interface PackedFile {
    readonly path: string;
}
interface PackResult {
    readonly name: string;
    readonly version: string;
    readonly files: readonly PackedFile[];
}

/** What `npm pack` would put in the tarball (no lifecycle script: npm test has just built the package). */
function packedFiles(): { result: PackResult; files: string[] } {
    const run = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
        cwd: PACKAGE_DIR,
        encoding: "utf8",
    });
    assert.strictEqual(run.status, 0, `npm pack --dry-run failed:\n${run.stderr}`);
    const [result] = JSON.parse(run.stdout) as PackResult[];
    return { result, files: sorted(result.files.map((f) => f.path)) };
}

/** The declaration file of an entry (`undefined`: the root). */
const declarationFile = (entry?: string): string =>
    path.join(PACKAGE_DIR, "bin", entry === undefined ? "index.d.ts" : path.join(entry, "public.d.ts"));

/** The names the packed type declarations of an entry export (the root's: bin/index.d.ts), and a checker over them. */
function declarations(name?: string): { checker: ts.TypeChecker; exports: ts.Symbol[] } {
    const entry = declarationFile(name);
    const options: ts.CompilerOptions = { noLib: true, types: [], moduleResolution: ts.ModuleResolutionKind.Node10 };
    const host = ts.createCompilerHost(options);
    const getSourceFile = host.getSourceFile.bind(host);
    // Only the package's own declarations are read: what it imports from other packages is left
    // empty, so the check needs neither their (large) declarations nor the time to parse them.
    host.getSourceFile = (file, language, onError) =>
        file.includes(`${path.sep}node_modules${path.sep}`)
            ? ts.createSourceFile(file, "export {};", language)
            : getSourceFile(file, language, onError);
    const program = ts.createProgram([entry], options, host);
    const checker = program.getTypeChecker();
    const module = checker.getSymbolAtLocation(program.getSourceFile(entry)!)!;
    return { checker, exports: checker.getExportsOfModule(module) };
}

/** The symbol a name stands for, through `export { X } from` and `import { X }` aliases. */
function target(checker: ts.TypeChecker, symbol: ts.Symbol): ts.Symbol {
    return symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/**
 * Every type of the package that a public declaration names but the package does not export:
 * `<public name> names <type> (<file>)`. Types of other packages (@pulumi/*, kubernetes-models)
 * are theirs to export.
 */
function unexportedTypesNamed(checker: ts.TypeChecker, publicSymbols: readonly ts.Symbol[]): string[] {
    const exported = new Set(publicSymbols.map((s) => target(checker, s)));
    const found = new Set<string>();
    for (const symbol of publicSymbols) {
        const name = symbol.getName();
        for (const declaration of target(checker, symbol).declarations ?? []) {
            const visit = (node: ts.Node): void => {
                // A `typeof X` (e.g. `(typeof HTTP_METHODS)[number]`) names a value, whose type a consumer
                // gets without importing it: only types and base classes must be public.
                const reference = ts.isTypeReferenceNode(node)
                    ? node.typeName
                    : ts.isExpressionWithTypeArguments(node)
                      ? node.expression
                      : undefined;
                const referenced = reference && checker.getSymbolAtLocation(reference);
                if (referenced) {
                    const resolved = target(checker, referenced);
                    const file = resolved.declarations?.[0]?.getSourceFile().fileName ?? "";
                    const own = file.startsWith(PACKAGE_DIR) && !file.includes(`${path.sep}node_modules${path.sep}`);
                    if (own && !exported.has(resolved) && !(resolved.flags & ts.SymbolFlags.TypeParameter)) {
                        found.add(`${name} names ${resolved.getName()} (${path.relative(PACKAGE_DIR, file)})`);
                    }
                }
                ts.forEachChild(node, visit);
            };
            visit(declaration);
        }
    }
    return sorted(found);
}

/** The names docs/package.md lists as the public API (first column of its public-api table), with their entry (second column). */
function documentedNames(): { name: string; entry: string | undefined }[] {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "package.md"), "utf8");
    const section = /<!-- public-api -->([\s\S]*?)<!-- \/public-api -->/.exec(doc);
    assert.ok(section, "docs/package.md has no <!-- public-api --> section");
    return section[1]
        .split("\n")
        .filter((line) => line.startsWith("| `"))
        .flatMap((line) => {
            const [, names, entry] = line.split("|");
            const area = /`@platform\/components\/([a-z]+)`/.exec(entry)?.[1];
            return [...names.matchAll(/`([A-Za-z_]+)`/g)].map((m) => ({ name: m[1], entry: area }));
        });
}

describe(`the component package ${PACKAGE_NAME} as npm pack makes it`, function () {
    // npm pack starts npm (a second or two, more on a busy machine) and the declarations are parsed once.
    this.timeout(60000);
    let packed: { result: PackResult; files: string[] };
    let types: { checker: ts.TypeChecker; exports: ts.Symbol[] };

    before(() => {
        packed = packedFiles();
        types = declarations();
    });

    it("is the package of components/package.json: scoped name, semver version, exports map to built files", () => {
        const manifest = JSON.parse(fs.readFileSync(path.join(PACKAGE_DIR, "package.json"), "utf8"));
        assert.strictEqual(packed.result.name, PACKAGE_NAME);
        assert.match(packed.result.version, /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/);
        assert.deepStrictEqual(manifest.exports, {
            ".": { types: "./bin/index.d.ts", default: "./bin/index.js" },
            ...Object.fromEntries(
                Object.keys(ENTRIES).map((e) => [
                    `./${e}`,
                    { types: `./bin/${e}/public.d.ts`, default: `./bin/${e}/public.js` },
                ]),
            ),
            "./package.json": "./package.json",
        });
        // TypeScript's older module resolution (node10) ignores `exports`: it finds each entry's declarations here.
        assert.deepStrictEqual(manifest.typesVersions, {
            "*": Object.fromEntries(Object.keys(ENTRIES).map((e) => [e, [`bin/${e}/public.d.ts`]])),
        });
        assert.strictEqual(manifest.main, "bin/index.js");
        assert.strictEqual(manifest.types, "bin/index.d.ts");
        // One @pulumi/pulumi per program: the engine's runtime state lives in it, so it is the consumer's.
        assert.deepStrictEqual(Object.keys(manifest.peerDependencies).sort(), [
            "@pulumi/aws",
            "@pulumi/eks",
            "@pulumi/kubernetes",
            "@pulumi/pulumi",
        ]);
    });

    it("packs the built JavaScript, its declarations and the data files it reads, nothing else", () => {
        const unexpected = packed.files.filter(
            (f) =>
                !["package.json", "README.md"].includes(f) &&
                !/^bin\/.+\.(js|d\.ts)$/.test(f) &&
                !/^bin\/observability\/dashboards\/(.+\.json|SOURCE\.md)$/.test(f) &&
                !/^bin\/cluster\/data\/(.+\.json|SOURCE\.md)$/.test(f) &&
                !/^bin\/mesh\/gateway-api\/(.+\.yaml|SOURCE\.md)$/.test(f) &&
                !/^bin\/observability\/crds\/(kube-prometheus-stack-[0-9.]+\/crd-[a-z]+\.yaml|SOURCE\.md)$/.test(f),
        );
        assert.deepStrictEqual(unexpected, []);
        for (const required of [
            "package.json",
            "README.md",
            "bin/index.js",
            "bin/index.d.ts",
            "bin/observability/dashboards/istio-mesh.json",
            "bin/cluster/data/aws-load-balancer-controller-iam-policy.json",
            "bin/mesh/gateway-api/gateway.networking.k8s.io_gateways.yaml",
            "bin/observability/crds/kube-prometheus-stack-81.6.2/crd-servicemonitors.yaml",
            "bin/observability/crds/kube-prometheus-stack-88.5.3/crd-servicemonitors.yaml",
        ]) {
            assert.ok(packed.files.includes(required), `${required} is not packed`);
        }
        // Every built module has its declarations beside it.
        const modules = packed.files.filter((f) => f.endsWith(".js"));
        assert.deepStrictEqual(
            modules.filter((f) => !packed.files.includes(f.replace(/\.js$/, ".d.ts"))),
            [],
        );
    });

    it("the dashboards are packed byte for byte as the source has them", () => {
        const dir = path.join(PACKAGE_DIR, "observability", "dashboards");
        for (const file of fs.readdirSync(dir)) {
            assert.ok(
                fs
                    .readFileSync(path.join(PACKAGE_DIR, "bin", "observability", "dashboards", file))
                    .equals(fs.readFileSync(path.join(dir, file))),
                file,
            );
        }
    });

    it("at run time, the package exports exactly the public API's values", () => {
        // The package by its name, as a consumer loads it: resolved through its exports map.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const loaded = require(PACKAGE_NAME) as Record<string, unknown>;
        assert.deepStrictEqual(sorted(Object.keys(loaded)), sorted(PUBLIC_VALUES));
        assert.strictEqual(require.resolve(PACKAGE_NAME), path.join(PACKAGE_DIR, "bin", "index.js"));
    });

    it("its type declarations export exactly the public API's values and types", () => {
        assert.deepStrictEqual(
            sorted(types.exports.map((s) => s.getName())),
            sorted([...PUBLIC_VALUES, ...PUBLIC_TYPES]),
        );
    });

    for (const [entry, api] of Object.entries(ENTRIES)) {
        it(`the entry ${PACKAGE_NAME}/${entry} exports exactly its part, at run time and in its declarations`, () => {
            // eslint-disable-next-line @typescript-eslint/no-require-imports
            const loaded = require(`${PACKAGE_NAME}/${entry}`) as Record<string, unknown>;
            assert.deepStrictEqual(sorted(Object.keys(loaded)), sorted(api.values));
            assert.strictEqual(
                require.resolve(`${PACKAGE_NAME}/${entry}`),
                path.join(PACKAGE_DIR, "bin", entry, "public.js"),
            );
            assert.deepStrictEqual(
                sorted(declarations(entry).exports.map((s) => s.getName())),
                sorted([...api.values, ...api.types]),
            );
        });
    }

    it("the public API is closed: every type of the package a public declaration names is public too", () => {
        assert.deepStrictEqual(unexportedTypesNamed(types.checker, types.exports), []);
    });

    it("a module inside the package cannot be imported: only the package's root is exported", () => {
        assert.throws(
            () => require.resolve(`${PACKAGE_NAME}/bin/service/spec`),
            (err: NodeJS.ErrnoException) => err.code === "ERR_PACKAGE_PATH_NOT_EXPORTED",
        );
    });

    it("examples/ts-service depends on the tarball npm pack makes of this version", () => {
        const example = JSON.parse(fs.readFileSync(path.join(ROOT, "examples", "ts-service", "package.json"), "utf8"));
        const tarball = `${PACKAGE_NAME.replace(/^@/, "").replace("/", "-")}-${packed.result.version}.tgz`;
        assert.strictEqual(example.dependencies[PACKAGE_NAME], `file:${tarball}`);
    });

    it("docs/package.md lists exactly the public API, each name under its entry", () => {
        const documented = documentedNames();
        assert.deepStrictEqual(
            sorted(new Set(documented.map((d) => d.name))),
            sorted([...PUBLIC_VALUES, ...PUBLIC_TYPES]),
        );
        assert.deepStrictEqual(
            documented.filter(
                (d) =>
                    d.entry === undefined ||
                    !ENTRIES[d.entry] ||
                    ![...ENTRIES[d.entry].values, ...ENTRIES[d.entry].types].includes(d.name),
            ),
            [],
        );
    });
});
