// Command cert-manager-webhook serves cert-manager's own admission webhook (validation and mutation of
// cert-manager.io objects) as a local process for the integration suite: the suite's API server runs
// no real pods, so the webhook Deployment the cert-manager chart installs never answers. The chart is
// installed with `webhook.url.host` pointing here (config certManagerWebhookHost), so every
// ClusterIssuer and Certificate the stacks create is checked by cert-manager's validator at admission,
// as on a real cluster.
//
// Only this wiring is ours. The admission chain (cert-manager's identity, approval and resource
// validation plugins), its request decoding and its scheme are cert-manager's, from the module
// github.com/cert-manager/cert-manager at the version in go.mod (taken from its server constructor);
// the HTTPS server is controller-runtime's. It is served here on 127.0.0.1 only, with a certificate
// from files, which cert-manager's own server cannot do (it listens on every interface). The module
// path sits under cert-manager's so that its internal packages may be imported.
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"

	cmwebhook "github.com/cert-manager/cert-manager/internal/webhook"
	cmadmission "github.com/cert-manager/cert-manager/pkg/webhook/admission"
	"github.com/cert-manager/cert-manager/pkg/webhook/options"
	"sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/cert-manager/cert-manager/platformlocal/process"
)

const name = "cert-manager-webhook"

func main() {
	// A flag set of its own: controller-runtime registers "kubeconfig" on the global one.
	flags := flag.NewFlagSet(name, flag.ExitOnError)
	kubeconfig := flags.String("kubeconfig", "", "kubeconfig of the API server (the webhook asks it for SubjectAccessReviews)")
	port := flags.Int("port", 36460, "port to serve on, on 127.0.0.1")
	certFile := flags.String("tls-cert-file", "", "PEM certificate to serve (its names must include the host the API server calls)")
	keyFile := flags.String("tls-private-key-file", "", "PEM private key of that certificate")
	_ = flags.Parse(os.Args[1:]) // ExitOnError: exits on a bad flag
	if *kubeconfig == "" || *certFile == "" || *keyFile == "" {
		process.Usage(name, "--kubeconfig, --tls-cert-file and --tls-private-key-file are required")
	}
	if filepath.Dir(*certFile) != filepath.Dir(*keyFile) {
		process.Usage(name, "the certificate and its key must be in one folder")
	}
	ctx, log, end := process.Start(name)
	defer end()

	cfg, err := options.NewWebhookConfiguration()
	if err != nil {
		process.Fail(name, err)
	}
	cfg.KubeConfig = *kubeconfig
	// cert-manager's server, for its admission chain and scheme; it is not run.
	cm, err := cmwebhook.NewCertManagerWebhookServer(log, *cfg)
	if err != nil {
		process.Fail(name, err)
	}

	server := webhook.NewServer(webhook.Options{
		Host:     "127.0.0.1",
		Port:     *port,
		CertDir:  filepath.Dir(*certFile),
		CertName: filepath.Base(*certFile),
		KeyName:  filepath.Base(*keyFile),
	})
	server.Register("/mutate", cmadmission.NewCustomMutationWebhook(cm.MutationWebhook))
	server.Register("/validate", cmadmission.NewCustomValidationWebhook(cm.ResourceScheme, cm.ValidationWebhook))

	log.Info("serving cert-manager's admission webhook", "address", fmt.Sprintf("127.0.0.1:%d", *port))
	if err := server.Start(ctx); err != nil {
		process.Fail(name, err)
	}
}
