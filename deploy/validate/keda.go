package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode"
)

// A trigger's metadata is a map[string]string in KEDA's API types: the ScaledObject type
// says nothing about which keys the kafka scaler reads. KEDA publishes them, generated from
// its scalers' declarations, in schema/generated/scalers-schema.json of the module this
// validator is built with: the check reads that file from the Go module cache, so it
// follows the KEDA version in go.mod, not a copy. The schema types every parameter as a
// string; a default of true/false or of digits is taken to mean a boolean or an integer.

const kedaModule = "github.com/kedacore/keda/v2"

type kedaParam struct {
	Name          string   `json:"name"`
	Optional      bool     `json:"optional"`
	Default       *string  `json:"default"`
	AllowedValue  []string `json:"allowedValue"`
	InMetadata    bool     `json:"metadataVariableReadable"`
	InEnvironment bool     `json:"envVariableReadable"`
	InAuth        bool     `json:"triggerAuthenticationVariableReadable"`
}

type kedaScalersSchema struct {
	Scalers []struct {
		Type       string      `json:"type"`
		Parameters []kedaParam `json:"parameters"`
	} `json:"scalers"`
}

type kedaParams struct {
	once   sync.Once
	params map[string]kedaParam
	err    error
}

var kedaKafkaParams = &kedaParams{}

func (k *kedaParams) load() {
	k.once.Do(func() {
		path, err := kedaSourceFile("schema/generated/scalers-schema.json")
		if err != nil {
			k.err = err
			return
		}
		k.params, k.err = scalerParams(path, "kafka")
	})
}

// check returns what is wrong with a kafka trigger's metadata, per KEDA's schema.
func (k *kedaParams) check(md map[string]string) []string {
	k.load()
	if k.err != nil {
		return []string{fmt.Sprintf("could not read KEDA's kafka scaler parameters: %v", k.err)}
	}
	var problems []string
	for _, key := range sortedKeys(md) {
		name := strings.TrimSuffix(key, "FromEnv")
		p, ok := k.params[name]
		switch {
		case !ok || (name == key && !p.InMetadata):
			problems = append(problems, fmt.Sprintf("metadata %q is not a parameter the kafka scaler reads from metadata", key))
			continue
		case name != key && !p.InEnvironment:
			problems = append(problems, fmt.Sprintf("metadata %q: the kafka scaler does not read %s from the environment", key, name))
			continue
		case name != key:
			continue // the value names an environment variable of the target
		}
		value := md[key]
		if len(p.AllowedValue) > 0 && !contains(p.AllowedValue, value) {
			problems = append(problems, fmt.Sprintf("metadata %s=%q: one of %s", key, value, strings.Join(p.AllowedValue, ", ")))
		}
		if p.Default != nil {
			if _, err := strconv.ParseBool(*p.Default); err == nil && (*p.Default == "true" || *p.Default == "false") {
				if _, err := strconv.ParseBool(value); err != nil {
					problems = append(problems, fmt.Sprintf("metadata %s=%q is not a boolean", key, value))
				}
			} else if _, err := strconv.ParseInt(*p.Default, 10, 64); err == nil {
				if _, err := strconv.ParseInt(value, 10, 64); err != nil {
					problems = append(problems, fmt.Sprintf("metadata %s=%q is not an integer", key, value))
				}
			}
		}
	}
	for _, name := range sortedParamNames(k.params) {
		p := k.params[name]
		if p.Optional || p.Default != nil || !p.InMetadata {
			continue
		}
		if _, ok := md[name]; !ok {
			if _, ok := md[name+"FromEnv"]; !ok {
				problems = append(problems, fmt.Sprintf("metadata %q is required by the kafka scaler", name))
			}
		}
	}
	return problems
}

// checkAuth returns the parameters of a TriggerAuthentication the kafka scaler does not
// read from one.
func (k *kedaParams) checkAuth(given map[string]bool) []string {
	k.load()
	if k.err != nil {
		return []string{fmt.Sprintf("could not read KEDA's kafka scaler parameters: %v", k.err)}
	}
	var problems []string
	for _, name := range sortedBoolKeys(given) {
		if p, ok := k.params[name]; !ok || !p.InAuth {
			problems = append(problems, fmt.Sprintf("parameter %q is not one the kafka scaler reads from a TriggerAuthentication", name))
		}
	}
	return problems
}

func sortedBoolKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func scalerParams(path, scaler string) (map[string]kedaParam, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var schema kedaScalersSchema
	if err := json.Unmarshal(data, &schema); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for _, s := range schema.Scalers {
		if s.Type != scaler {
			continue
		}
		params := map[string]kedaParam{}
		for _, p := range s.Parameters {
			params[p.Name] = p
		}
		return params, nil
	}
	return nil, fmt.Errorf("%s: no scaler %q", path, scaler)
}

// kedaSourceFile finds a file of the KEDA module this binary was built with, in the Go
// module cache.
func kedaSourceFile(rel string) (string, error) {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "", fmt.Errorf("no build information")
	}
	version := ""
	for _, dep := range info.Deps {
		if dep.Path == kedaModule {
			version = dep.Version
			if dep.Replace != nil {
				version = dep.Replace.Version
			}
		}
	}
	if version == "" {
		return "", fmt.Errorf("%s is not a dependency of this build", kedaModule)
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := exec.Command("go", "env", "GOMODCACHE").Output()
		if err != nil {
			return "", fmt.Errorf("go env GOMODCACHE: %w", err)
		}
		cache = strings.TrimSpace(string(out))
	}
	path := filepath.Join(cache, escapeModulePath(kedaModule)+"@"+version, filepath.FromSlash(rel))
	if _, err := os.Stat(path); err != nil {
		return "", err
	}
	return path, nil
}

// escapeModulePath writes upper-case letters as the module cache does (!l).
func escapeModulePath(p string) string {
	var b strings.Builder
	for _, r := range p {
		if unicode.IsUpper(r) {
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedParamNames(m map[string]kedaParam) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
