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

/** The public API's values: the components, their defaults, the conventions' helpers, the error class. */
const PUBLIC_VALUES = [
    "CertManager",
    "Cluster",
    "ExternalDns",
    "Istio",
    "LoadBalancerController",
    "MESH_DEFAULTS",
    "Network",
    "Observability",
    "ProblemError",
    "SERVICE_DEFAULTS",
    "Service",
    "TAG_KEYS",
    "clusterNameFor",
    "isServiceName",
    "kubernetesAnnotations",
    "kubernetesLabels",
    "kubernetesMetadata",
    "ownerTags",
    "resourceName",
    "resourceTags",
];

/** The public API's types: the components' arguments and every type they name, and the conventions' types. */
const PUBLIC_TYPES = [
    "AutoscalingSpec",
    "CallerRule",
    "CapacityType",
    "CertManagerArgs",
    "CertManagerMode",
    "CertificateIssuer",
    "ChartMirror",
    "ClusterAccess",
    "ClusterArgs",
    "ComponentProviders",
    "DataPlaneMode",
    "DnsZone",
    "EnvironmentSettings",
    "ExternalDnsArgs",
    "ExternalDnsOptions",
    "ExternalHostSpec",
    "ExternalProtocol",
    "HttpMethod",
    "IstioArgs",
    "IstiodWebhooks",
    "JwtSpec",
    "LoadBalancerControllerArgs",
    "MeshDataPlane",
    "LoadBalancerControllerOptions",
    "LoadBalancerScheme",
    "MeshFacts",
    "NameKind",
    "NameParts",
    "NatStrategy",
    "NetworkArgs",
    "NodeGroupSpec",
    "NodeTaint",
    "ObservabilityArgs",
    "ObservabilityStorage",
    "OutboundTrafficPolicy",
    "Owner",
    "PrometheusStackVersion",
    "Problem",
    "ProblemKind",
    "Protocol",
    "ProviderPackage",
    "QuotaSpec",
    "RateLimitSpec",
    "ResourcesSpec",
    "ServiceArgs",
    "ServiceSettings",
    "SubnetPlan",
    "TagKey",
    "TaintEffect",
    "TracingCollector",
    "VersionSpec",
    "WorkloadLabels",
];

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

/** The names the packed type declarations export (bin/index.d.ts), and a checker over them. */
function declarations(): { checker: ts.TypeChecker; exports: ts.Symbol[] } {
    const entry = path.join(PACKAGE_DIR, "bin", "index.d.ts");
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

/** The names docs/package.md lists as the public API (first column of its public-api table). */
function documentedNames(): string[] {
    const doc = fs.readFileSync(path.join(ROOT, "docs", "package.md"), "utf8");
    const section = /<!-- public-api -->([\s\S]*?)<!-- \/public-api -->/.exec(doc);
    assert.ok(section, "docs/package.md has no <!-- public-api --> section");
    return sorted(
        section[1]
            .split("\n")
            .filter((line) => line.startsWith("| `"))
            .flatMap((line) => [...line.split("|")[1].matchAll(/`([A-Za-z_]+)`/g)].map((m) => m[1])),
    );
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
            "./package.json": "./package.json",
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

    it("docs/package.md lists exactly the public API", () => {
        assert.deepStrictEqual(documentedNames(), sorted([...PUBLIC_VALUES, ...PUBLIC_TYPES]));
    });
});
