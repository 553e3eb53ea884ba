// Command validate renders the Helm chart of deploy/helm/toolkit (Helm as a Go library) and
// validates every rendered object by strict decoding into the published Go API types of
// Kubernetes, KEDA and the Prometheus Operator, then checks what those types cannot say:
// probes, security contexts, resources, grace periods against the drain deadline, Services,
// PodDisruptionBudgets, NetworkPolicies, the executors' autoscaling against the requests
// topic's partitions. See deploy/README.md ("Validation").
//
//	go run ./deploy/validate                      # default and production values
//	go run ./deploy/validate -values v.yaml -set executor.autoscaling.maxReplicas=99
//	go run ./deploy/validate -file manifest.yaml  # validate manifests, no rendering
//	... -json                                     # a JSON report (objects, resolved env)
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type objectReport struct {
	APIVersion string                 `json:"apiVersion"`
	Kind       string                 `json:"kind"`
	Name       string                 `json:"name"`
	Source     string                 `json:"source"`
	Object     map[string]interface{} `json:"object"`
}

type caseReport struct {
	Name     string         `json:"name"`
	OK       bool           `json:"ok"`
	Errors   []string       `json:"errors"`
	Warnings []string       `json:"warnings"`
	Objects  []objectReport `json:"objects"`
	// Each workload's environment as its process sees it, by component (the topic Job:
	// "topics"), from its first container.
	Env map[string]map[string]envValue `json:"env"`
	// Secrets referenced but not rendered (existingSecret).
	External []string `json:"external"`
}

type report struct {
	OK    bool         `json:"ok"`
	Cases []caseReport `json:"cases"`
}

type caseSpec struct {
	name   string
	render *renderOptions
	files  []string
}

func main() {
	var valueFiles, sets, files listFlag
	chartDir := flag.String("chart", "", "chart directory (default: deploy/helm/toolkit, found from the working directory)")
	release := flag.String("release", "toolkit", "release name")
	namespace := flag.String("namespace", "toolkit", "release namespace")
	kubeVersion := flag.String("kube-version", "v1.30.0", "Kubernetes version the chart is rendered for")
	name := flag.String("name", "custom", "name of the case given with -values/-set/-file")
	asJSON := flag.Bool("json", false, "print a JSON report")
	flag.Var(&valueFiles, "values", "values file (repeatable; the chart's values.yaml always applies first)")
	flag.Var(&sets, "set", "a --set expression (repeatable)")
	flag.Var(&files, "file", "validate this manifest file instead of rendering (repeatable)")
	flag.Parse()
	// Helm logs through the standard logger (e.g. each symbolic link it follows in files/).
	log.SetOutput(io.Discard)

	dir := *chartDir
	if dir == "" && len(files) == 0 {
		var err error
		if dir, err = findChart(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	}
	base := renderOptions{chartDir: dir, release: *release, namespace: *namespace, kubeVersion: *kubeVersion}
	var cases []caseSpec
	switch {
	case len(files) > 0:
		cases = append(cases, caseSpec{name: *name, files: files})
	case len(valueFiles) > 0 || len(sets) > 0:
		opts := base
		opts.valueFiles, opts.sets = valueFiles, sets
		cases = append(cases, caseSpec{name: *name, render: &opts})
	default:
		production := base
		production.valueFiles = []string{filepath.Join(dir, "values-production.yaml")}
		cases = append(cases, caseSpec{name: "default", render: &base}, caseSpec{name: "production", render: &production})
	}

	rep := report{OK: true}
	for _, c := range cases {
		cr := runCase(c)
		rep.OK = rep.OK && cr.OK
		rep.Cases = append(rep.Cases, cr)
	}
	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(2)
		}
	} else {
		printReport(rep)
	}
	if !rep.OK {
		os.Exit(1)
	}
}

func runCase(c caseSpec) caseReport {
	cr := caseReport{Name: c.name, Errors: []string{}, Warnings: []string{}, Objects: []objectReport{}, Env: map[string]map[string]envValue{}, External: []string{}}
	var docs []document
	if c.render != nil {
		_, rendered, err := render(*c.render)
		if err != nil {
			cr.Errors = append(cr.Errors, err.Error())
			return cr
		}
		docs = rendered
	} else {
		for _, f := range c.files {
			data, err := os.ReadFile(f)
			if err != nil {
				cr.Errors = append(cr.Errors, err.Error())
				return cr
			}
			docs = append(docs, splitManifests(f, string(data))...)
		}
	}
	if len(docs) == 0 {
		cr.Errors = append(cr.Errors, errNoDocuments.Error())
		return cr
	}
	objs, errs := decodeAll(docs)
	for _, err := range errs {
		cr.Errors = append(cr.Errors, err.Error())
	}
	b, f := runChecks(objs, c.render != nil)
	cr.Errors = append(cr.Errors, f.errors...)
	cr.Warnings = append(cr.Warnings, f.warnings...)
	for _, o := range objs {
		cr.Objects = append(cr.Objects, objectReport{APIVersion: o.gvk.GroupVersion().String(), Kind: o.gvk.Kind, Name: o.name, Source: o.source, Object: o.raw})
	}
	for _, w := range append(append([]workload(nil), b.deployments...), b.jobs...) {
		if len(w.pod.Spec.Containers) > 0 && w.component != "" {
			cr.Env[w.component] = w.env[w.pod.Spec.Containers[0].Name]
		}
	}
	for ref := range b.external {
		cr.External = append(cr.External, ref)
	}
	sort.Strings(cr.External)
	cr.OK = len(cr.Errors) == 0
	return cr
}

func printReport(rep report) {
	for _, c := range rep.Cases {
		kinds := map[string]int{}
		for _, o := range c.Objects {
			kinds[o.Kind]++
		}
		var parts []string
		for _, k := range sortedKeysInt(kinds) {
			parts = append(parts, fmt.Sprintf("%d %s", kinds[k], k))
		}
		status := "ok"
		if !c.OK {
			status = "FAILED"
		}
		fmt.Printf("case %s: %s, %d objects (%s)\n", c.Name, status, len(c.Objects), strings.Join(parts, ", "))
		for _, e := range c.Errors {
			fmt.Printf("  error: %s\n", e)
		}
		for _, w := range c.Warnings {
			fmt.Printf("  warning: %s\n", w)
		}
		if len(c.External) > 0 {
			fmt.Printf("  external (not rendered): %s\n", strings.Join(c.External, ", "))
		}
	}
	passed, failed := 0, 0
	for _, c := range rep.Cases {
		if c.OK {
			passed++
		} else {
			failed++
		}
	}
	fmt.Printf("validate: %d passed, %d failed\n", passed, failed)
}

func sortedKeysInt(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// findChart looks for deploy/helm/toolkit from the working directory up.
func findChart() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for dir := wd; ; dir = filepath.Dir(dir) {
		for _, rel := range []string{"deploy/helm/toolkit", "helm/toolkit", "../helm/toolkit"} {
			candidate := filepath.Join(dir, rel)
			if _, err := os.Stat(filepath.Join(candidate, "Chart.yaml")); err == nil {
				return candidate, nil
			}
		}
		if filepath.Dir(dir) == dir {
			return "", fmt.Errorf("no deploy/helm/toolkit above %s: give -chart", wd)
		}
	}
}
