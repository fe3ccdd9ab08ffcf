// Package process is what the suite's two local cert-manager processes share: cert-manager's logging
// (also controller-runtime's), a context cancelled on SIGINT or SIGTERM, and exits with a message.
package process

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	logf "github.com/cert-manager/cert-manager/pkg/logs"
	"github.com/go-logr/logr"
	ctrllog "sigs.k8s.io/controller-runtime/pkg/log"
)

// Start sets up logging for the command `name` and returns its logger, and a context (carrying that
// logger) that ends on SIGINT or SIGTERM. Call the returned function when the command ends.
func Start(name string) (context.Context, logr.Logger, func()) {
	logf.InitLogs()
	ctrllog.SetLogger(logf.Log)
	log := logf.Log.WithName(name)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	return logf.NewContext(ctx, log), log, func() {
		stop()
		logf.FlushLogs()
	}
}

// Usage exits with status 2 and `message`, prefixed with the command's name.
func Usage(name, message string) {
	fmt.Fprintf(os.Stderr, "%s: %s\n", name, message)
	os.Exit(2)
}

// Fail exits with status 1 and the error, prefixed with the command's name.
func Fail(name string, err error) {
	fmt.Fprintf(os.Stderr, "%s: %v\n", name, err)
	os.Exit(1)
}
