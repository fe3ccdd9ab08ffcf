// Command cert-manager-controller runs cert-manager's own controllers for the CA and self-signed
// issuers as a local process for the integration suite: the suite's API server runs no real pods, so
// the controller Deployment the cert-manager chart installs signs nothing. With this process beside
// it, the environment's CA chain the common stack makes is really issued (the root certificate, its
// Secret, the CA ClusterIssuer Ready) and so is each exposed host's certificate (its TLS Secret in the
// gateway's namespace), as on a real cluster.
//
// Only this wiring is ours: the controllers (issuers, certificate requests approval and signing with
// the CA and self-signed issuers, and the certificates' trigger, key, request, issuing, readiness and
// revision controllers), their context and their informers are cert-manager's, from the module
// github.com/cert-manager/cert-manager at the version in go.mod. No ACME, Vault or Venafi controller
// runs (nothing here reaches the internet), no leader election (one process), no metrics server.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	controller "github.com/cert-manager/cert-manager/pkg/controller"
	crapprover "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/approver"
	crca "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/ca"
	crselfsigned "github.com/cert-manager/cert-manager/pkg/controller/certificaterequests/selfsigned"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/issuing"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/keymanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/readiness"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/requestmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/revisionmanager"
	"github.com/cert-manager/cert-manager/pkg/controller/certificates/trigger"
	"github.com/cert-manager/cert-manager/pkg/controller/clusterissuers"
	"github.com/cert-manager/cert-manager/pkg/controller/issuers"
	// The issuer kinds the issuers' controllers can set up (each registers itself).
	_ "github.com/cert-manager/cert-manager/pkg/issuer/ca"
	_ "github.com/cert-manager/cert-manager/pkg/issuer/selfsigned"

	"github.com/cert-manager/cert-manager/platformlocal/process"
)

const name = "cert-manager-controller"

// The controllers that issue from the CA and self-signed issuers, by their registered names.
var enabled = []string{
	issuers.ControllerName,
	clusterissuers.ControllerName,
	crapprover.ControllerName,
	crca.CRControllerName,
	crselfsigned.CRControllerName,
	trigger.ControllerName,
	issuing.ControllerName,
	keymanager.ControllerName,
	requestmanager.ControllerName,
	readiness.ControllerName,
	revisionmanager.ControllerName,
}

func main() {
	// A flag set of its own: controller-runtime registers "kubeconfig" on the global one.
	flags := flag.NewFlagSet(name, flag.ExitOnError)
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig of the API server")
	clusterResourceNamespace := flags.String("cluster-resource-namespace", "cert-manager",
		"namespace of the Secrets that ClusterIssuers read (the CA issuer's key pair)")
	_ = flags.Parse(os.Args[1:]) // ExitOnError: exits on a bad flag
	if *kubeconfig == "" {
		process.Usage(name, "--kubeconfig is required")
	}
	ctx, log, end := process.Start(name)
	defer end()

	factory, err := controller.NewContextFactory(ctx, controller.ContextOptions{
		Kubeconfig:         *kubeconfig,
		KubernetesAPIQPS:   20,
		KubernetesAPIBurst: 50,
		IssuerOptions:      controller.IssuerOptions{ClusterResourceNamespace: *clusterResourceNamespace},
		// cert-manager's defaults (its controller configuration's), but the Secret owned by its
		// Certificate, as the chart's enableCertificateOwnerRef (set by the common layer) makes it.
		CertificateOptions: controller.CertificateOptions{
			EnableOwnerRef:                           true,
			CopiedAnnotationPrefixes:                 []string{"*", "-kubectl.kubernetes.io/"},
			CertificateRequestMinimumBackoffDuration: time.Hour,
			CertificateRequestMaximumBackoffDuration: 32 * time.Hour,
		},
	})
	if err != nil {
		process.Fail(name, err)
	}
	shared, err := factory.Build()
	if err != nil {
		process.Fail(name, err)
	}
	known := controller.Known()
	errs := make(chan error, len(enabled))
	for _, controllerName := range enabled {
		constructor, ok := known[controllerName]
		if !ok {
			process.Fail(name, fmt.Errorf("controller %s is not registered", controllerName))
		}
		c, err := constructor(factory)
		if err != nil {
			process.Fail(name, fmt.Errorf("controller %s: %w", controllerName, err))
		}
		go func() { errs <- c.Run(2, ctx) }()
	}
	shared.SharedInformerFactory.Start(ctx.Done())
	shared.KubeSharedInformerFactory.Start(ctx.Done())
	shared.HTTP01ResourceMetadataInformersFactory.Start(ctx.Done())
	log.Info("running cert-manager's controllers", "controllers", enabled)

	select {
	case <-ctx.Done():
	case err := <-errs:
		if err != nil {
			process.Fail(name, err)
		}
	}
}
