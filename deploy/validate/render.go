package main

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/releaseutil"
	"helm.sh/helm/v3/pkg/strvals"
	"sigs.k8s.io/yaml"
)

// renderOptions are what `helm template` takes: values files, then --set overrides.
type renderOptions struct {
	chartDir    string
	valueFiles  []string
	sets        []string
	release     string
	namespace   string
	kubeVersion string
}

// document is one YAML document of the rendered output, with the template it came from.
type document struct {
	source string
	yaml   string
}

// render renders the chart as `helm template` / `helm install` would (Helm as a library,
// strict mode: a template reading a value that does not exist fails), checking the
// chart's kubeVersion constraint and values.schema.json on the way. It returns the merged
// values and the rendered documents, hooks included, NOTES.txt excluded.
func render(opts renderOptions) (map[string]interface{}, []document, error) {
	ch, err := loader.Load(opts.chartDir)
	if err != nil {
		return nil, nil, fmt.Errorf("loading the chart: %w", err)
	}
	vals, err := mergeValues(opts.valueFiles, opts.sets)
	if err != nil {
		return nil, nil, err
	}
	caps := chartutil.DefaultCapabilities.Copy()
	kv, err := chartutil.ParseKubeVersion(opts.kubeVersion)
	if err != nil {
		return nil, nil, fmt.Errorf("kube version %q: %w", opts.kubeVersion, err)
	}
	caps.KubeVersion = *kv
	if c := ch.Metadata.KubeVersion; c != "" && !chartutil.IsCompatibleRange(c, kv.String()) {
		return nil, nil, fmt.Errorf("chart requires kubeVersion %s, rendering for %s", c, kv.String())
	}
	if err := chartutil.ProcessDependenciesWithMerge(ch, vals); err != nil {
		return nil, nil, err
	}
	release := chartutil.ReleaseOptions{Name: opts.release, Namespace: opts.namespace, Revision: 1, IsInstall: true}
	top, err := chartutil.ToRenderValues(ch, vals, release, caps)
	if err != nil {
		return nil, nil, fmt.Errorf("values: %w", err)
	}
	out, err := engine.Engine{Strict: true}.Render(ch, top)
	if err != nil {
		return nil, nil, fmt.Errorf("rendering: %w", err)
	}
	merged, _ := top["Values"].(chartutil.Values)
	return merged.AsMap(), splitRendered(out), nil
}

func splitRendered(out map[string]string) []document {
	names := make([]string, 0, len(out))
	for name := range out {
		names = append(names, name)
	}
	sort.Strings(names)
	var docs []document
	for _, name := range names {
		base := filepath.Base(name)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		docs = append(docs, splitManifests(name, out[name])...)
	}
	return docs
}

// splitManifests splits a multi-document YAML text as Helm does, dropping documents that
// hold nothing but comments and blank lines.
func splitManifests(source, text string) []document {
	split := releaseutil.SplitManifests(text)
	keys := make([]string, 0, len(split))
	for k := range split {
		keys = append(keys, k)
	}
	// SplitManifests names documents manifest-0, manifest-1, ...: keep their order.
	sort.Slice(keys, func(i, j int) bool { return manifestIndex(keys[i]) < manifestIndex(keys[j]) })
	var docs []document
	for _, k := range keys {
		if isEmptyDocument(split[k]) {
			continue
		}
		docs = append(docs, document{source: source, yaml: split[k]})
	}
	return docs
}

func manifestIndex(key string) int {
	var n int
	_, _ = fmt.Sscanf(key, "manifest-%d", &n)
	return n
}

func isEmptyDocument(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if trimmed != "" && !strings.HasPrefix(trimmed, "#") && trimmed != "---" {
			return false
		}
	}
	return true
}

// mergeValues reads values files in order (later ones win, maps merged deeply) and then
// applies --set expressions, as Helm's values options do.
func mergeValues(files, sets []string) (map[string]interface{}, error) {
	base := map[string]interface{}{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("values file: %w", err)
		}
		current := map[string]interface{}{}
		if err := yaml.Unmarshal(data, &current); err != nil {
			return nil, fmt.Errorf("values file %s: %w", f, err)
		}
		base = mergeMaps(base, current)
	}
	for _, s := range sets {
		if err := strvals.ParseInto(s, base); err != nil {
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return base, nil
}

func mergeMaps(a, b map[string]interface{}) map[string]interface{} {
	out := make(map[string]interface{}, len(a))
	for k, v := range a {
		out[k] = v
	}
	for k, v := range b {
		if bv, ok := v.(map[string]interface{}); ok {
			if av, ok := out[k].(map[string]interface{}); ok {
				out[k] = mergeMaps(av, bv)
				continue
			}
		}
		out[k] = v
	}
	return out
}
