// Command validate loads compose files the way `docker compose config` does, with
// compose-go (the Compose specification's reference loader, which Docker Compose uses):
// variable interpolation, validation against the specification's JSON schema, then the
// consistency checks (services named in depends_on, networks, volumes, secrets and configs
// defined). It prints the loaded project as JSON, or the loader's error and exits 1.
//
//	go run . -env-file ../.env ../compose.yaml
//
// Only the given env file feeds interpolation (not this process's environment), so a
// variable the file lacks is reported instead of being taken from the shell.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/compose-spec/compose-go/v2/cli"
)

func main() {
	envFile := flag.String("env-file", "", "env file for interpolation (required)")
	flag.Parse()
	if *envFile == "" || flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: validate -env-file FILE compose.yaml...")
		os.Exit(2)
	}
	options, err := cli.NewProjectOptions(
		flag.Args(),
		cli.WithEnvFiles(*envFile),
		cli.WithDotEnv,
		cli.WithInterpolation(true),
		cli.WithNormalization(true),
		cli.WithConsistency(true),
		cli.WithResolvedPaths(true),
	)
	if err != nil {
		fail(err)
	}
	project, err := options.LoadProject(context.Background())
	if err != nil {
		fail(err)
	}
	out, err := project.MarshalJSON()
	if err != nil {
		fail(err)
	}
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintf(os.Stderr, "invalid compose project: %v\n", err)
	os.Exit(1)
}
