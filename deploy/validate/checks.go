package main

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// The services of the platform (apps/*), by the app.kubernetes.io/component label.
var services = []string{"gateway", "catalog", "analytics", "executor"}

const (
	componentLabel = "app.kubernetes.io/component"
	requestsTopic  = "toolkit.execution.requests.v1"
	// SHUTDOWN_TIMEOUT_MS when unset (libs/platform/config/src/fragments.ts).
	defaultShutdownMs = 25000
)

// findings collects what the checks found, per case.
type findings struct {
	errors   []string
	warnings []string
}

func (f *findings) errorf(format string, args ...interface{}) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}

func (f *findings) warnf(format string, args ...interface{}) {
	f.warnings = append(f.warnings, fmt.Sprintf(format, args...))
}

// envValue is a container variable as the process will see it.
type envValue struct {
	Value string `json:"value"`
	// Where it comes from: "literal", "configmap/<name>", "secret/<name>", "field".
	From string `json:"from"`
	// From a Secret the chart does not render (existingSecret): value unknown here.
	External bool `json:"external,omitempty"`
	Optional bool `json:"optional,omitempty"`
}

// workload is a pod template of the chart (a Deployment's or a Job's) with its resolved env.
type workload struct {
	obj       object
	component string
	pod       *corev1.PodTemplateSpec
	env       map[string]map[string]envValue // container -> variable -> value
}

type bundle struct {
	objs        []object
	byKind      map[string][]object
	configMaps  map[string]*corev1.ConfigMap
	secrets     map[string]*corev1.Secret
	deployments []workload
	jobs        []workload
	external    map[string]bool // Secret/ConfigMap refs not rendered
}

func newBundle(objs []object, f *findings) *bundle {
	b := &bundle{objs: objs, byKind: map[string][]object{}, configMaps: map[string]*corev1.ConfigMap{}, secrets: map[string]*corev1.Secret{}, external: map[string]bool{}}
	for _, o := range objs {
		b.byKind[o.gvk.Kind] = append(b.byKind[o.gvk.Kind], o)
		switch t := o.typed.(type) {
		case *corev1.ConfigMap:
			b.configMaps[t.Name] = t
		case *corev1.Secret:
			b.secrets[t.Name] = t
		}
	}
	for _, o := range b.byKind["Deployment"] {
		d := o.typed.(*appsv1.Deployment)
		b.deployments = append(b.deployments, b.newWorkload(o, &d.Spec.Template, f))
	}
	for _, o := range b.byKind["Job"] {
		j := o.typed.(*batchv1.Job)
		b.jobs = append(b.jobs, b.newWorkload(o, &j.Spec.Template, f))
	}
	return b
}

func (b *bundle) newWorkload(o object, pod *corev1.PodTemplateSpec, f *findings) workload {
	w := workload{obj: o, component: pod.Labels[componentLabel], pod: pod, env: map[string]map[string]envValue{}}
	for _, c := range pod.Spec.Containers {
		w.env[c.Name] = b.resolveEnv(o, c, f)
	}
	// Volumes from ConfigMaps and Secrets the chart does not render are the operator's
	// (known_hosts, CA certificates): listed, not refused.
	for _, v := range pod.Spec.Volumes {
		if v.ConfigMap != nil {
			if _, ok := b.configMaps[v.ConfigMap.Name]; !ok {
				b.external["ConfigMap/"+v.ConfigMap.Name] = true
			}
		}
		if v.Secret != nil {
			if _, ok := b.secrets[v.Secret.SecretName]; !ok {
				b.external["Secret/"+v.Secret.SecretName] = true
			}
		}
		if v.Projected != nil {
			for _, src := range v.Projected.Sources {
				if src.Secret != nil {
					if _, ok := b.secrets[src.Secret.Name]; !ok {
						b.external["Secret/"+src.Secret.Name] = true
					}
				}
			}
		}
	}
	for _, c := range pod.Spec.Containers {
		checkFileVariables(o, c, w.env[c.Name], pod.Spec.Volumes, f)
	}
	return w
}

// Variables naming files the process reads at boot: each must be a key of a read-only
// mounted Secret (a missing file stops the boot).
var fileVariables = []string{"KAFKA_SSL_CA_FILE", "KAFKA_SSL_CERT_FILE", "KAFKA_SSL_KEY_FILE"}

func checkFileVariables(o object, c corev1.Container, env map[string]envValue, volumes []corev1.Volume, f *findings) {
	for _, name := range fileVariables {
		path, ok := env[name]
		if !ok {
			continue
		}
		if !fileMounted(path.Value, c, volumes) {
			f.errorf("%s container %s: %s=%q is not a file of a read-only mounted Secret", o.ref(), c.Name, name, path.Value)
		}
	}
}

func fileMounted(path string, c corev1.Container, volumes []corev1.Volume) bool {
	for _, m := range c.VolumeMounts {
		rel, found := strings.CutPrefix(path, strings.TrimSuffix(m.MountPath, "/")+"/")
		if !found || !m.ReadOnly {
			continue
		}
		for _, v := range volumes {
			if v.Name != m.Name {
				continue
			}
			var items [][]corev1.KeyToPath
			if v.Secret != nil {
				if len(v.Secret.Items) == 0 {
					return true
				}
				items = append(items, v.Secret.Items)
			}
			if v.Projected != nil {
				for _, src := range v.Projected.Sources {
					if src.Secret != nil {
						items = append(items, src.Secret.Items)
					}
				}
			}
			for _, list := range items {
				for _, item := range list {
					if item.Path == rel {
						return true
					}
				}
			}
		}
	}
	return false
}

// resolveEnv computes a container's environment from envFrom and env, reading the
// ConfigMaps and Secrets the chart renders. A reference to one it does not render is an
// error for a ConfigMap, and an external value (existingSecret) for a Secret.
func (b *bundle) resolveEnv(o object, c corev1.Container, f *findings) map[string]envValue {
	env := map[string]envValue{}
	for _, from := range c.EnvFrom {
		switch {
		case from.ConfigMapRef != nil:
			cm, ok := b.configMaps[from.ConfigMapRef.Name]
			if !ok {
				if !isTrue(from.ConfigMapRef.Optional) {
					f.errorf("%s container %s: envFrom ConfigMap %q is not rendered", o.ref(), c.Name, from.ConfigMapRef.Name)
				}
				continue
			}
			for k, v := range cm.Data {
				env[from.Prefix+k] = envValue{Value: v, From: "configmap/" + cm.Name}
			}
		case from.SecretRef != nil:
			s, ok := b.secrets[from.SecretRef.Name]
			if !ok {
				b.external["Secret/"+from.SecretRef.Name] = true
				continue
			}
			for k, v := range secretData(s) {
				env[from.Prefix+k] = envValue{Value: v, From: "secret/" + s.Name}
			}
		}
	}
	for _, e := range c.Env {
		switch {
		case e.ValueFrom == nil:
			env[e.Name] = envValue{Value: e.Value, From: "literal"}
		case e.ValueFrom.ConfigMapKeyRef != nil:
			ref := e.ValueFrom.ConfigMapKeyRef
			cm, ok := b.configMaps[ref.Name]
			v, has := "", false
			if ok {
				v, has = cm.Data[ref.Key]
			}
			if !has {
				if !isTrue(ref.Optional) {
					f.errorf("%s container %s: %s reads key %q of ConfigMap %q, which is not rendered", o.ref(), c.Name, e.Name, ref.Key, ref.Name)
				}
				continue
			}
			env[e.Name] = envValue{Value: v, From: "configmap/" + ref.Name}
		case e.ValueFrom.SecretKeyRef != nil:
			ref := e.ValueFrom.SecretKeyRef
			s, ok := b.secrets[ref.Name]
			if !ok {
				b.external["Secret/"+ref.Name] = true
				env[e.Name] = envValue{From: "secret/" + ref.Name + "/" + ref.Key, External: true, Optional: isTrue(ref.Optional)}
				continue
			}
			v, has := secretData(s)[ref.Key]
			if !has {
				if !isTrue(ref.Optional) {
					f.errorf("%s container %s: %s reads key %q of Secret %q, which has no such key", o.ref(), c.Name, e.Name, ref.Key, ref.Name)
				}
				continue
			}
			env[e.Name] = envValue{Value: v, From: "secret/" + ref.Name + "/" + ref.Key}
		case e.ValueFrom.FieldRef != nil:
			env[e.Name] = envValue{Value: "(" + e.ValueFrom.FieldRef.FieldPath + ")", From: "field"}
		default:
			env[e.Name] = envValue{From: "resource"}
		}
	}
	return env
}

func secretData(s *corev1.Secret) map[string]string {
	out := map[string]string{}
	for k, v := range s.Data {
		out[k] = string(v)
	}
	for k, v := range s.StringData {
		out[k] = v
	}
	return out
}

func isTrue(b *bool) bool { return b != nil && *b }

// runChecks applies the semantic checks that the API types cannot express.
func runChecks(objs []object, chartMode bool) (*bundle, *findings) {
	f := &findings{}
	b := newBundle(objs, f)
	for _, w := range b.deployments {
		checkWorkload(b, w, f, true)
	}
	for _, w := range b.jobs {
		checkWorkload(b, w, f, false)
		checkTopicJob(b, w, f)
	}
	if chartMode {
		checkServicesPresent(b, f)
	}
	checkServices(b, f)
	checkIngresses(b, f)
	checkPDBs(b, f)
	checkAutoscaling(b, f)
	checkNetworkPolicies(b, f)
	checkMonitoring(b, f)
	return b, f
}

// --- Workloads --------------------------------------------------------------------------

func checkWorkload(b *bundle, w workload, f *findings, longRunning bool) {
	spec := &w.pod.Spec
	ref := w.obj.ref()
	if len(spec.Containers) == 0 {
		f.errorf("%s has no container", ref)
		return
	}
	if !isFalse(spec.AutomountServiceAccountToken) {
		f.errorf("%s: automountServiceAccountToken must be false (no service calls the Kubernetes API)", ref)
	}
	if !isFalse(spec.EnableServiceLinks) {
		f.errorf("%s: enableServiceLinks must be false (Service links add variables such as HTTP_PORT)", ref)
	}
	if spec.HostNetwork || spec.HostPID || spec.HostIPC {
		f.errorf("%s: host namespaces are not allowed", ref)
	}
	for _, c := range spec.Containers {
		checkContainerSecurity(ref, spec.SecurityContext, c, f)
		checkResources(ref, c, f)
		checkImage(ref, c, f)
	}
	for _, c := range spec.InitContainers {
		checkContainerSecurity(ref, spec.SecurityContext, c, f)
		checkResources(ref, c, f)
	}
	if !longRunning {
		return
	}
	main := spec.Containers[0]
	env := w.env[main.Name]
	checkProbes(ref, main, env, f)
	checkGrace(ref, spec, main, env, f)
	if host := env["HTTP_HOST"].Value; host != "0.0.0.0" && host != "::" {
		f.errorf("%s: HTTP_HOST is %q: the services listen on 127.0.0.1 unless told 0.0.0.0, and then no probe or Service reaches them", ref, host)
	}
	if w.component == "analytics" {
		checkHeapCap(ref, main, env, f)
	}
	if w.component == "executor" && len(spec.TopologySpreadConstraints) == 0 {
		f.errorf("%s: executors need topologySpreadConstraints (zones, nodes)", ref)
	}
}

func isFalse(b *bool) bool { return b != nil && !*b }

func checkContainerSecurity(ref string, pod *corev1.PodSecurityContext, c corev1.Container, f *findings) {
	sc := c.SecurityContext
	where := fmt.Sprintf("%s container %s", ref, c.Name)
	if sc == nil {
		f.errorf("%s: no securityContext", where)
		return
	}
	if !isFalse(sc.AllowPrivilegeEscalation) {
		f.errorf("%s: allowPrivilegeEscalation must be false", where)
	}
	if !isTrue(sc.ReadOnlyRootFilesystem) {
		f.errorf("%s: readOnlyRootFilesystem must be true", where)
	}
	if isTrue(sc.Privileged) {
		f.errorf("%s: privileged", where)
	}
	if sc.Capabilities == nil || !containsCap(sc.Capabilities.Drop, "ALL") {
		f.errorf("%s: capabilities must drop ALL", where)
	}
	if sc.Capabilities != nil && len(sc.Capabilities.Add) > 0 {
		f.errorf("%s: adds capabilities %v", where, sc.Capabilities.Add)
	}
	var podNonRoot, podUser, podSeccomp = (*bool)(nil), (*int64)(nil), (*corev1.SeccompProfile)(nil)
	if pod != nil {
		podNonRoot, podUser, podSeccomp = pod.RunAsNonRoot, pod.RunAsUser, pod.SeccompProfile
	}
	nonRoot := firstBool(sc.RunAsNonRoot, podNonRoot)
	user := firstInt(sc.RunAsUser, podUser)
	if !isTrue(nonRoot) {
		f.errorf("%s: runAsNonRoot must be true", where)
	}
	// The image's USER is `node` (deploy/Dockerfile): the kubelet cannot verify a
	// non-numeric user against runAsNonRoot, so the uid must be given.
	if user == nil || *user == 0 {
		f.errorf("%s: runAsUser must be a non-zero uid (the image's user is not numeric)", where)
	}
	seccomp := sc.SeccompProfile
	if seccomp == nil {
		seccomp = podSeccomp
	}
	if seccomp == nil || (seccomp.Type != corev1.SeccompProfileTypeRuntimeDefault && seccomp.Type != corev1.SeccompProfileTypeLocalhost) {
		f.errorf("%s: seccompProfile must be RuntimeDefault (or Localhost)", where)
	}
}

func containsCap(caps []corev1.Capability, want corev1.Capability) bool {
	for _, c := range caps {
		if c == want {
			return true
		}
	}
	return false
}

func firstBool(a, b *bool) *bool {
	if a != nil {
		return a
	}
	return b
}

func firstInt(a, b *int64) *int64 {
	if a != nil {
		return a
	}
	return b
}

func checkResources(ref string, c corev1.Container, f *findings) {
	where := fmt.Sprintf("%s container %s", ref, c.Name)
	for _, name := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
		req, hasReq := c.Resources.Requests[name]
		lim, hasLim := c.Resources.Limits[name]
		if !hasReq {
			f.errorf("%s: no %s request", where, name)
		}
		if !hasLim {
			f.errorf("%s: no %s limit", where, name)
		}
		if hasReq && hasLim && req.Cmp(lim) > 0 {
			f.errorf("%s: %s request %s is above its limit %s", where, name, req.String(), lim.String())
		}
	}
}

func checkImage(ref string, c corev1.Container, f *findings) {
	image := c.Image
	last := image[strings.LastIndex(image, "/")+1:]
	if !strings.Contains(last, ":") && !strings.Contains(image, "@") {
		f.errorf("%s container %s: image %q has no tag", ref, c.Name, image)
	} else if strings.HasSuffix(image, ":latest") {
		f.errorf("%s container %s: image %q uses the latest tag", ref, c.Name, image)
	}
}

// containerPort resolves a probe's or Service's port (a name or a number) in a container.
func containerPort(c corev1.Container, port intstr.IntOrString) (corev1.ContainerPort, bool) {
	for _, p := range c.Ports {
		if (port.Type == intstr.String && p.Name == port.StrVal) || (port.Type == intstr.Int && p.ContainerPort == port.IntVal) {
			return p, true
		}
	}
	return corev1.ContainerPort{}, false
}

// checkProbes: liveness /healthz, readiness /readyz, on a port the container declares and
// the service really listens on (HTTP_PORT, or METRICS_PORT when set: apps/*/src/config.ts).
func checkProbes(ref string, c corev1.Container, env map[string]envValue, f *findings) {
	probes := []struct {
		name  string
		probe *corev1.Probe
		path  string
	}{
		{"livenessProbe", c.LivenessProbe, "/healthz"},
		{"readinessProbe", c.ReadinessProbe, "/readyz"},
		{"startupProbe", c.StartupProbe, ""},
	}
	for _, p := range probes {
		if p.probe == nil {
			if p.path != "" {
				f.errorf("%s: no %s", ref, p.name)
			}
			continue
		}
		if p.probe.HTTPGet == nil {
			f.errorf("%s: %s is not an HTTP probe", ref, p.name)
			continue
		}
		if p.path != "" && p.probe.HTTPGet.Path != p.path {
			f.errorf("%s: %s asks %s, the services answer it on %s", ref, p.name, p.probe.HTTPGet.Path, p.path)
		}
		port, ok := containerPort(c, p.probe.HTTPGet.Port)
		if !ok {
			f.errorf("%s: %s port %s is not a port of the container", ref, p.name, p.probe.HTTPGet.Port.String())
			continue
		}
		listening := map[string]bool{env["HTTP_PORT"].Value: true}
		if m := env["METRICS_PORT"].Value; m != "" {
			listening[m] = true
		}
		if !listening[strconv.Itoa(int(port.ContainerPort))] {
			f.errorf("%s: %s goes to port %d, on which the service does not listen (HTTP_PORT %q, METRICS_PORT %q)", ref, p.name, port.ContainerPort, env["HTTP_PORT"].Value, env["METRICS_PORT"].Value)
		}
	}
	for _, named := range []struct{ port, variable string }{{"http", "HTTP_PORT"}, {"metrics", "METRICS_PORT"}} {
		if p, ok := containerPort(c, intstr.FromString(named.port)); ok && env[named.variable].Value != strconv.Itoa(int(p.ContainerPort)) {
			f.errorf("%s: container port %s is %d but %s is %q", ref, named.port, p.ContainerPort, named.variable, env[named.variable].Value)
		}
	}
}

// checkGrace: the kubelet kills at terminationGracePeriodSeconds, counted from the start of
// preStop; the service exits 1 at SHUTDOWN_TIMEOUT_MS after SIGTERM. The grace period must
// cover both, or the drain is cut short.
func checkGrace(ref string, spec *corev1.PodSpec, c corev1.Container, env map[string]envValue, f *findings) {
	shutdownMs := defaultShutdownMs
	if v := env["SHUTDOWN_TIMEOUT_MS"].Value; v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			f.errorf("%s: SHUTDOWN_TIMEOUT_MS %q is not an integer", ref, v)
			return
		}
		shutdownMs = n
	}
	preStop := 0
	if c.Lifecycle != nil && c.Lifecycle.PreStop != nil {
		switch {
		case c.Lifecycle.PreStop.Sleep != nil:
			preStop = int(c.Lifecycle.PreStop.Sleep.Seconds)
		case c.Lifecycle.PreStop.Exec != nil && len(c.Lifecycle.PreStop.Exec.Command) == 2 && c.Lifecycle.PreStop.Exec.Command[0] == "sleep":
			n, err := strconv.Atoi(c.Lifecycle.PreStop.Exec.Command[1])
			if err != nil {
				f.errorf("%s: preStop sleep %q", ref, c.Lifecycle.PreStop.Exec.Command[1])
			}
			preStop = n
		default:
			f.warnf("%s: preStop hook of unknown length", ref)
		}
	}
	needed := preStop + int(math.Ceil(float64(shutdownMs)/1000))
	if spec.TerminationGracePeriodSeconds == nil {
		f.errorf("%s: terminationGracePeriodSeconds unset (30 s): the drain takes up to %d s", ref, needed)
		return
	}
	if int(*spec.TerminationGracePeriodSeconds) <= needed {
		f.errorf("%s: terminationGracePeriodSeconds %d must be above preStop (%d s) + SHUTDOWN_TIMEOUT_MS (%d ms)", ref, *spec.TerminationGracePeriodSeconds, preStop, shutdownMs)
	}
}

var maxOldSpace = regexp.MustCompile(`--max-old-space-size=(\d+)`)

// checkHeapCap: analytics runs with a V8 heap cap below its memory limit
// (apps/analytics/README.md): without it V8 sizes the heap from the node and the container
// is OOM-killed before it collects.
func checkHeapCap(ref string, c corev1.Container, env map[string]envValue, f *findings) {
	m := maxOldSpace.FindStringSubmatch(env["NODE_OPTIONS"].Value)
	if m == nil {
		f.errorf("%s: analytics needs NODE_OPTIONS=--max-old-space-size=<MiB> derived from its memory limit", ref)
		return
	}
	heap, _ := strconv.Atoi(m[1])
	lim, ok := c.Resources.Limits[corev1.ResourceMemory]
	if !ok {
		return
	}
	limitMiB := lim.Value() / (1024 * 1024)
	if int64(heap) > limitMiB*3/4 || heap < 64 {
		f.errorf("%s: heap cap %d MiB does not fit the memory limit %s (at most 75%%, leaving room for the young generation and native memory)", ref, heap, lim.String())
	}
}

// --- Topic Job --------------------------------------------------------------------------

type topicSpec struct {
	Name              string            `json:"name"`
	Partitions        int               `json:"partitions"`
	ReplicationFactor int               `json:"replicationFactor"`
	Config            map[string]string `json:"config"`
}

// topicsOf reads the topics a topic Job creates (TOPICS_JSON), if the chart renders one.
func (b *bundle) topicsOf() (map[string]topicSpec, bool) {
	for _, w := range b.jobs {
		for _, env := range w.env {
			if v, ok := env["TOPICS_JSON"]; ok {
				var topics map[string]topicSpec
				if err := json.Unmarshal([]byte(v.Value), &topics); err == nil {
					return topics, true
				}
			}
		}
	}
	return nil, false
}

func checkTopicJob(b *bundle, w workload, f *findings) {
	ref := w.obj.ref()
	job := w.obj.typed.(*batchv1.Job)
	if job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyNever && job.Spec.Template.Spec.RestartPolicy != corev1.RestartPolicyOnFailure {
		f.errorf("%s: restartPolicy must be Never or OnFailure", ref)
	}
	if job.Spec.ActiveDeadlineSeconds == nil {
		f.errorf("%s: activeDeadlineSeconds unset: a Job that cannot reach Kafka would hold the install forever", ref)
	}
	for cname, env := range w.env {
		v, ok := env["TOPICS_JSON"]
		if !ok {
			continue
		}
		var topics map[string]topicSpec
		if err := json.Unmarshal([]byte(v.Value), &topics); err != nil {
			f.errorf("%s container %s: TOPICS_JSON: %v", ref, cname, err)
			continue
		}
		found := false
		for _, t := range topics {
			if t.Partitions < 1 || t.ReplicationFactor < 1 {
				f.errorf("%s: topic %s: partitions %d, replication factor %d", ref, t.Name, t.Partitions, t.ReplicationFactor)
			}
			for k, val := range t.Config {
				if _, err := strconv.ParseInt(val, 10, 64); err != nil && k != "cleanup.policy" {
					f.errorf("%s: topic %s: %s=%q is not an integer", ref, t.Name, k, val)
				}
			}
			if strings.HasSuffix(t.Name, requestsTopic) {
				found = true
			}
		}
		if !found {
			f.errorf("%s: TOPICS_JSON has no requests topic (%s)", ref, requestsTopic)
		}
	}
}

// --- Services, Ingress, PDB -------------------------------------------------------------

func checkServicesPresent(b *bundle, f *findings) {
	for _, svc := range services {
		found := false
		for _, w := range b.deployments {
			if w.component == svc {
				found = true
			}
		}
		if !found {
			f.errorf("no Deployment for the %s service", svc)
		}
	}
	if len(b.byKind["NetworkPolicy"]) == 0 {
		f.warnf("no NetworkPolicy rendered: every pod is reachable from anywhere")
	}
}

func selectorMatches(sel map[string]string, podLabels map[string]string) bool {
	if len(sel) == 0 {
		return false
	}
	return labels.SelectorFromSet(sel).Matches(labels.Set(podLabels))
}

func labelSelectorMatches(sel *metav1.LabelSelector, podLabels map[string]string) (bool, error) {
	if sel == nil {
		return false, nil
	}
	s, err := metav1.LabelSelectorAsSelector(sel)
	if err != nil {
		return false, err
	}
	return s.Matches(labels.Set(podLabels)), nil
}

func checkServices(b *bundle, f *findings) {
	for _, o := range b.byKind["Service"] {
		s := o.typed.(*corev1.Service)
		var matched []workload
		for _, w := range b.deployments {
			if selectorMatches(s.Spec.Selector, w.pod.Labels) {
				matched = append(matched, w)
			}
		}
		if len(matched) == 0 {
			f.errorf("%s: its selector matches no Deployment's pods", o.ref())
			continue
		}
		for _, w := range matched {
			if w.component != "gateway" && (s.Spec.Type == corev1.ServiceTypeNodePort || s.Spec.Type == corev1.ServiceTypeLoadBalancer) {
				f.errorf("%s: only the gateway is exposed outside the cluster (type %s)", o.ref(), s.Spec.Type)
			}
			for _, p := range s.Spec.Ports {
				target := p.TargetPort
				if target.Type == intstr.Int && target.IntVal == 0 {
					target = intstr.FromInt32(p.Port)
				}
				if _, ok := containerPort(w.pod.Spec.Containers[0], target); !ok {
					f.errorf("%s port %s: target %s is not a port of %s", o.ref(), p.Name, target.String(), w.obj.ref())
				}
			}
		}
	}
	for _, w := range b.deployments {
		found := false
		for _, o := range b.byKind["Service"] {
			if selectorMatches(o.typed.(*corev1.Service).Spec.Selector, w.pod.Labels) {
				found = true
			}
		}
		if !found {
			f.errorf("%s: no Service selects its pods", w.obj.ref())
		}
	}
}

func (b *bundle) service(name string) *corev1.Service {
	for _, o := range b.byKind["Service"] {
		if o.name == name {
			return o.typed.(*corev1.Service)
		}
	}
	return nil
}

// checkIngresses: backends exist, and none routes to a metrics port.
func checkIngresses(b *bundle, f *findings) {
	for _, o := range b.byKind["Ingress"] {
		ing := o.typed.(*networkingv1.Ingress)
		var backends []*networkingv1.IngressServiceBackend
		if ing.Spec.DefaultBackend != nil && ing.Spec.DefaultBackend.Service != nil {
			backends = append(backends, ing.Spec.DefaultBackend.Service)
		}
		for _, r := range ing.Spec.Rules {
			if r.HTTP == nil {
				continue
			}
			for _, p := range r.HTTP.Paths {
				if p.PathType == nil {
					f.errorf("%s path %s: pathType is required", o.ref(), p.Path)
				}
				if p.Backend.Service != nil {
					backends = append(backends, p.Backend.Service)
				}
			}
		}
		if len(backends) == 0 {
			f.errorf("%s routes nowhere", o.ref())
		}
		for _, be := range backends {
			svc := b.service(be.Name)
			if svc == nil {
				f.errorf("%s: backend Service %q is not rendered", o.ref(), be.Name)
				continue
			}
			var port *corev1.ServicePort
			for i := range svc.Spec.Ports {
				p := &svc.Spec.Ports[i]
				if (be.Port.Name != "" && p.Name == be.Port.Name) || (be.Port.Number != 0 && p.Port == be.Port.Number) {
					port = p
				}
			}
			if port == nil {
				f.errorf("%s: Service %s has no port %s%d", o.ref(), be.Name, be.Port.Name, be.Port.Number)
				continue
			}
			if port.Name == "metrics" || port.TargetPort.StrVal == "metrics" {
				f.errorf("%s: routes to the metrics port of %s (/metrics and the detailed /readyz must stay inside)", o.ref(), be.Name)
			}
			if svc.Spec.Selector[componentLabel] != "gateway" {
				f.errorf("%s: routes to %s; only the gateway is public", o.ref(), be.Name)
			}
		}
	}
}

func checkPDBs(b *bundle, f *findings) {
	for _, w := range b.deployments {
		n := 0
		for _, o := range b.byKind["PodDisruptionBudget"] {
			pdb := o.typed.(*policyv1.PodDisruptionBudget)
			ok, err := labelSelectorMatches(pdb.Spec.Selector, w.pod.Labels)
			if err != nil {
				f.errorf("%s: selector: %v", o.ref(), err)
			}
			if ok {
				n++
				if pdb.Spec.MinAvailable == nil && pdb.Spec.MaxUnavailable == nil {
					f.errorf("%s: neither minAvailable nor maxUnavailable", o.ref())
				}
				d := w.obj.typed.(*appsv1.Deployment)
				if pdb.Spec.MinAvailable != nil && pdb.Spec.MinAvailable.Type == intstr.Int && d.Spec.Replicas != nil && pdb.Spec.MinAvailable.IntVal >= *d.Spec.Replicas {
					f.errorf("%s: minAvailable %d with %d replicas blocks every node drain", o.ref(), pdb.Spec.MinAvailable.IntVal, *d.Spec.Replicas)
				}
				if pdb.Spec.MaxUnavailable != nil && pdb.Spec.MaxUnavailable.Type == intstr.Int && pdb.Spec.MaxUnavailable.IntVal < 1 {
					f.errorf("%s: maxUnavailable 0 blocks every node drain", o.ref())
				}
			}
		}
		if n != 1 {
			f.errorf("%s: %d PodDisruptionBudgets select its pods (want 1)", w.obj.ref(), n)
		}
	}
}

// --- Autoscaling ------------------------------------------------------------------------

func (b *bundle) deployment(name string) (workload, bool) {
	for _, w := range b.deployments {
		if w.obj.name == name {
			return w, true
		}
	}
	return workload{}, false
}

// requestsPartitions: the requests topic's partition count as the chart sets it (the topic
// Job's TOPICS_JSON, else KAFKA_TOPIC_PARTITIONS, what services create topics with).
func (b *bundle) requestsPartitions(target workload) (int, string) {
	if topics, ok := b.topicsOf(); ok {
		for _, t := range topics {
			if strings.HasSuffix(t.Name, requestsTopic) {
				return t.Partitions, "the topic Job"
			}
		}
	}
	for _, env := range target.env {
		if v, err := strconv.Atoi(env["KAFKA_TOPIC_PARTITIONS"].Value); err == nil {
			return v, "KAFKA_TOPIC_PARTITIONS"
		}
	}
	return 0, ""
}

func checkAutoscaling(b *bundle, f *findings) {
	scaled := map[string]int{}
	for _, o := range b.byKind["ScaledObject"] {
		so := o.typed.(*kedav1alpha1.ScaledObject)
		target := checkScaleTarget(b, o, so.Spec.ScaleTargetRef.Kind, so.Spec.ScaleTargetRef.APIVersion, so.Spec.ScaleTargetRef.Name, f)
		if target == nil {
			continue
		}
		scaled[target.obj.name]++
		// KEDA's own admission checks that need no cluster (apis/keda/v1alpha1).
		if err := kedav1alpha1.CheckReplicaCountBoundsAreValid(so); err != nil {
			f.errorf("%s: %v", o.ref(), err)
		}
		if err := kedav1alpha1.CheckFallbackValid(so); err != nil {
			f.errorf("%s: %v", o.ref(), err)
		}
		if err := kedav1alpha1.ValidateTriggers(so.Spec.Triggers); err != nil {
			f.errorf("%s: %v", o.ref(), err)
		}
		if len(so.Name) > 63 || len("keda-hpa-"+so.Name) > 63 {
			f.errorf("%s: name too long for KEDA's HPA and labels", o.ref())
		}
		if so.Spec.MaxReplicaCount == nil {
			f.errorf("%s: maxReplicaCount unset (KEDA's default 100)", o.ref())
		} else {
			checkPartitionBound(b, o, *target, int(*so.Spec.MaxReplicaCount), f)
		}
		grace := graceOf(*target)
		if so.Spec.CooldownPeriod == nil || int(*so.Spec.CooldownPeriod) < grace {
			f.errorf("%s: cooldownPeriod must be set and at least the target's grace period (%d s)", o.ref(), grace)
		}
		var behavior *autoscalingv2.HorizontalPodAutoscalerBehavior
		if so.Spec.Advanced != nil && so.Spec.Advanced.HorizontalPodAutoscalerConfig != nil {
			behavior = so.Spec.Advanced.HorizontalPodAutoscalerConfig.Behavior
		}
		checkBehavior(o, behavior, grace, f)
		for _, t := range so.Spec.Triggers {
			if t.Type == "kafka" {
				checkKafkaTrigger(o, t, *target, f)
				checkKafkaTriggerAuth(b, o, t, *target, f)
			}
		}
	}
	for _, o := range b.byKind["HorizontalPodAutoscaler"] {
		h := o.typed.(*autoscalingv2.HorizontalPodAutoscaler)
		target := checkScaleTarget(b, o, h.Spec.ScaleTargetRef.Kind, h.Spec.ScaleTargetRef.APIVersion, h.Spec.ScaleTargetRef.Name, f)
		if target == nil {
			continue
		}
		scaled[target.obj.name]++
		if h.Spec.MinReplicas != nil && *h.Spec.MinReplicas > h.Spec.MaxReplicas {
			f.errorf("%s: minReplicas above maxReplicas", o.ref())
		}
		if len(h.Spec.Metrics) == 0 {
			f.errorf("%s: no metric", o.ref())
		}
		checkPartitionBound(b, o, *target, int(h.Spec.MaxReplicas), f)
		checkBehavior(o, h.Spec.Behavior, graceOf(*target), f)
	}
	for name, n := range scaled {
		if n > 1 {
			f.errorf("Deployment/%s is scaled by %d autoscalers", name, n)
		}
	}
	for _, w := range b.deployments {
		if w.component == "executor" && scaled[w.obj.name] == 0 && w.obj.typed.(*appsv1.Deployment).Spec.Replicas == nil {
			f.errorf("%s: no replicas and no autoscaler", w.obj.ref())
		}
	}
}

func checkScaleTarget(b *bundle, o object, kind, apiVersion, name string, f *findings) *workload {
	if (kind != "" && kind != "Deployment") || (apiVersion != "" && apiVersion != "apps/v1") {
		f.errorf("%s: scales %s %s, not a Deployment", o.ref(), apiVersion, kind)
		return nil
	}
	w, ok := b.deployment(name)
	if !ok {
		f.errorf("%s: target Deployment %q is not rendered", o.ref(), name)
		return nil
	}
	if w.obj.typed.(*appsv1.Deployment).Spec.Replicas != nil {
		f.errorf("%s: %s sets spec.replicas: every upgrade would reset what the autoscaler chose", o.ref(), w.obj.ref())
	}
	return &w
}

func checkPartitionBound(b *bundle, o object, target workload, max int, f *findings) {
	partitions, from := b.requestsPartitions(target)
	if partitions == 0 {
		f.errorf("%s: the requests topic's partition count is not known (no topic Job, no KAFKA_TOPIC_PARTITIONS)", o.ref())
		return
	}
	if max > partitions {
		f.errorf("%s: max replicas %d above the requests topic's %d partitions (%s): the extra executors get no partition", o.ref(), max, partitions, from)
	}
}

func graceOf(w workload) int {
	if g := w.pod.Spec.TerminationGracePeriodSeconds; g != nil {
		return int(*g)
	}
	return 30
}

// checkBehavior: scaling down must not cut drains short or stack them up.
func checkBehavior(o object, behavior *autoscalingv2.HorizontalPodAutoscalerBehavior, grace int, f *findings) {
	if behavior == nil || behavior.ScaleDown == nil {
		f.errorf("%s: no scaleDown behaviour (the HPA default removes up to 100%% of the pods at once)", o.ref())
		return
	}
	sd := behavior.ScaleDown
	if sd.StabilizationWindowSeconds == nil || int(*sd.StabilizationWindowSeconds) < grace {
		f.errorf("%s: scaleDown.stabilizationWindowSeconds must be at least the grace period (%d s)", o.ref(), grace)
	}
	for _, p := range sd.Policies {
		if p.Type == autoscalingv2.PodsScalingPolicy && p.Value > 1 {
			f.warnf("%s: scaleDown removes %d pods per %d s: their drains overlap", o.ref(), p.Value, p.PeriodSeconds)
		}
		if p.Type == autoscalingv2.PercentScalingPolicy {
			f.warnf("%s: a percent scaleDown policy may remove several draining pods at once", o.ref())
		}
	}
}

// checkKafkaTrigger: the trigger watches the executors' real group and topic (with the
// prefix), its metadata are parameters KEDA's kafka scaler reads, and the chart's
// decisions hold (lagThreshold explicit, excludePersistentLag off).
func checkKafkaTrigger(o object, t kedav1alpha1.ScaleTriggers, target workload, f *findings) {
	md := t.Metadata
	env := target.env[target.pod.Spec.Containers[0].Name]
	prefix := env["KAFKA_TOPIC_PREFIX"].Value
	group := env["EXECUTOR_GROUP_ID"].Value
	if group == "" {
		group = "toolkit-executor"
	}
	if md["consumerGroup"] != prefix+group {
		f.errorf("%s: consumerGroup %q is not the executors' group %q (KAFKA_TOPIC_PREFIX + EXECUTOR_GROUP_ID)", o.ref(), md["consumerGroup"], prefix+group)
	}
	if md["topic"] != prefix+requestsTopic {
		f.errorf("%s: topic %q is not the requests topic %q", o.ref(), md["topic"], prefix+requestsTopic)
	}
	if md["bootstrapServers"] != env["KAFKA_BROKERS"].Value {
		f.errorf("%s: bootstrapServers %q differ from the executors' KAFKA_BROKERS %q", o.ref(), md["bootstrapServers"], env["KAFKA_BROKERS"].Value)
	}
	if _, ok := md["lagThreshold"]; !ok {
		f.errorf("%s: lagThreshold must be set explicitly (KEDA's docs and code disagree on its default)", o.ref())
	}
	if strings.EqualFold(md["excludePersistentLag"], "true") {
		f.errorf("%s: excludePersistentLag would drop partitions whose executor is busy on a long command, scaling down under load", o.ref())
	}
	if env["KAFKA_SSL"].Value == "true" && md["tls"] != "enable" {
		f.errorf("%s: the executors use TLS but the trigger does not (tls: enable)", o.ref())
	}
	for _, problem := range kedaKafkaParams.check(md) {
		f.errorf("%s trigger %s: %s", o.ref(), t.Name, problem)
	}
}

// checkKafkaTriggerAuth: a rendered TriggerAuthentication of a kafka trigger names only
// parameters the kafka scaler reads from one (KEDA's schema), its env entries name
// variables of the target's container, and the executors' SASL and TLS files are there.
func checkKafkaTriggerAuth(b *bundle, o object, t kedav1alpha1.ScaleTriggers, target workload, f *findings) {
	if t.AuthenticationRef == nil {
		return
	}
	var auth *kedav1alpha1.TriggerAuthentication
	for _, a := range b.byKind["TriggerAuthentication"] {
		if a.name == t.AuthenticationRef.Name {
			auth = a.typed.(*kedav1alpha1.TriggerAuthentication)
		}
	}
	if auth == nil {
		return // the operator's own
	}
	given := map[string]bool{}
	for _, p := range auth.Spec.SecretTargetRef {
		given[p.Parameter] = true
	}
	for _, e := range auth.Spec.Env {
		given[e.Parameter] = true
		if _, ok := target.env[e.ContainerName][e.Name]; !ok {
			f.errorf("%s: TriggerAuthentication %s reads %s from container %q, which does not set it", o.ref(), auth.Name, e.Name, e.ContainerName)
		}
	}
	for _, problem := range kedaKafkaParams.checkAuth(given) {
		f.errorf("%s: TriggerAuthentication %s: %s", o.ref(), auth.Name, problem)
	}
	env := target.env[target.pod.Spec.Containers[0].Name]
	needs := map[string]string{"KAFKA_SSL_CA_FILE": "ca", "KAFKA_SSL_CERT_FILE": "cert", "KAFKA_SSL_KEY_FILE": "key", "KAFKA_SASL_USERNAME": "username", "KAFKA_SASL_PASSWORD": "password"}
	for _, variable := range sortedKeys(needs) {
		if _, ok := env[variable]; ok && !given[needs[variable]] {
			f.errorf("%s: the executors set %s but the TriggerAuthentication gives KEDA no %s", o.ref(), variable, needs[variable])
		}
	}
	if env["KAFKA_SASL_MECHANISM"].Value != "" && t.Metadata["sasl"] == "" {
		f.errorf("%s: the executors use SASL but the trigger has no sasl", o.ref())
	}
}

// --- NetworkPolicies --------------------------------------------------------------------

func checkNetworkPolicies(b *bundle, f *findings) {
	policies := b.byKind["NetworkPolicy"]
	if len(policies) == 0 {
		return
	}
	for _, w := range b.deployments {
		var ingress, egress []networkingv1.NetworkPolicy
		for _, o := range policies {
			np := o.typed.(*networkingv1.NetworkPolicy)
			ok, err := labelSelectorMatches(&np.Spec.PodSelector, w.pod.Labels)
			if err != nil {
				f.errorf("%s: %v", o.ref(), err)
			}
			if !ok {
				continue
			}
			types := np.Spec.PolicyTypes
			if len(types) == 0 || hasPolicyType(types, networkingv1.PolicyTypeIngress) {
				ingress = append(ingress, *np)
			}
			if hasPolicyType(types, networkingv1.PolicyTypeEgress) {
				egress = append(egress, *np)
			}
		}
		ref := w.obj.ref()
		if len(ingress) == 0 {
			f.errorf("%s: no NetworkPolicy restricts traffic to its pods", ref)
		}
		if len(egress) == 0 {
			f.errorf("%s: no NetworkPolicy restricts traffic from its pods", ref)
		}
		main := w.pod.Spec.Containers[0]
		metricsPort, _ := containerPort(main, intstr.FromString("metrics"))
		for _, np := range ingress {
			for _, rule := range np.Spec.Ingress {
				onlyMetrics := len(rule.Ports) > 0
				for _, p := range rule.Ports {
					if p.Port == nil || !(p.Port.StrVal == "metrics" || (p.Port.Type == intstr.Int && p.Port.IntVal == metricsPort.ContainerPort)) {
						onlyMetrics = false
					}
				}
				if w.component == "gateway" {
					continue
				}
				if len(rule.From) == 0 {
					f.errorf("%s: NetworkPolicy %s admits traffic from anywhere", ref, np.Name)
					continue
				}
				if onlyMetrics {
					continue
				}
				if w.component == "executor" {
					f.errorf("%s: NetworkPolicy %s admits traffic other than scraping the metrics port (nothing calls an executor)", ref, np.Name)
					continue
				}
				for _, peer := range rule.From {
					if !isGatewayPeer(b, peer) {
						f.errorf("%s: NetworkPolicy %s admits %s on its API port; only the gateway calls it", ref, np.Name, describePeer(peer))
					}
				}
			}
		}
		dns, ssh := false, false
		for _, np := range egress {
			for _, rule := range np.Spec.Egress {
				for _, p := range rule.Ports {
					if p.Port != nil && p.Port.Type == intstr.Int && p.Port.IntVal == 53 && p.Protocol != nil && *p.Protocol == corev1.ProtocolUDP {
						dns = true
					}
					if p.Port != nil && p.Port.Type == intstr.Int && p.Port.IntVal == 22 && len(rule.To) > 0 && rule.To[0].IPBlock != nil {
						ssh = true
					}
				}
			}
		}
		if !dns {
			f.errorf("%s: its NetworkPolicies allow no DNS (UDP 53): it could not resolve Kafka or MongoDB", ref)
		}
		if w.component == "executor" && !ssh {
			f.warnf("%s: its NetworkPolicies allow no SSH (TCP 22) to device addresses", ref)
		}
	}
}

func hasPolicyType(types []networkingv1.PolicyType, want networkingv1.PolicyType) bool {
	for _, t := range types {
		if t == want {
			return true
		}
	}
	return false
}

// isGatewayPeer: a same-namespace pod selector that selects the gateway's pods only.
func isGatewayPeer(b *bundle, peer networkingv1.NetworkPolicyPeer) bool {
	if peer.IPBlock != nil || peer.NamespaceSelector != nil || peer.PodSelector == nil {
		return false
	}
	matchesGateway := false
	for _, w := range b.deployments {
		ok, _ := labelSelectorMatches(peer.PodSelector, w.pod.Labels)
		if ok && w.component != "gateway" {
			return false
		}
		if ok {
			matchesGateway = true
		}
	}
	return matchesGateway
}

func describePeer(p networkingv1.NetworkPolicyPeer) string {
	data, _ := json.Marshal(p)
	return string(data)
}

// --- Monitoring -------------------------------------------------------------------------

func checkMonitoring(b *bundle, f *findings) {
	for _, o := range b.byKind["ServiceMonitor"] {
		sm := o.typed.(*monitoringv1.ServiceMonitor)
		if len(sm.Spec.Endpoints) == 0 {
			f.errorf("%s: no endpoint", o.ref())
		}
		sel, err := metav1.LabelSelectorAsSelector(&sm.Spec.Selector)
		if err != nil {
			f.errorf("%s: selector: %v", o.ref(), err)
			continue
		}
		covered := map[string]bool{}
		for _, so := range b.byKind["Service"] {
			svc := so.typed.(*corev1.Service)
			if !sel.Matches(labels.Set(svc.Labels)) {
				continue
			}
			for _, ep := range sm.Spec.Endpoints {
				found := false
				for _, p := range svc.Spec.Ports {
					if p.Name == ep.Port {
						found = true
					}
				}
				if !found {
					f.errorf("%s: Service %s has no port named %q", o.ref(), svc.Name, ep.Port)
				}
				if ep.Port != "metrics" {
					f.errorf("%s: scrapes port %q; /metrics is served on the metrics port", o.ref(), ep.Port)
				}
			}
			covered[svc.Spec.Selector[componentLabel]] = true
		}
		for _, svc := range services {
			if !covered[svc] {
				f.errorf("%s: does not scrape the %s service", o.ref(), svc)
			}
		}
	}
	for _, o := range b.byKind["PrometheusRule"] {
		pr := o.typed.(*monitoringv1.PrometheusRule)
		if len(pr.Spec.Groups) == 0 {
			f.errorf("%s: no rule group", o.ref())
		}
		names := map[string]bool{}
		for _, g := range pr.Spec.Groups {
			if g.Name == "" || len(g.Rules) == 0 {
				f.errorf("%s: group %q is unnamed or empty", o.ref(), g.Name)
			}
			for _, r := range g.Rules {
				if (r.Alert == "") == (r.Record == "") {
					f.errorf("%s: group %s: a rule needs either alert or record", o.ref(), g.Name)
				}
				if strings.TrimSpace(r.Expr.String()) == "" {
					f.errorf("%s: group %s rule %s%s: empty expr", o.ref(), g.Name, r.Alert, r.Record)
				}
				if r.Alert != "" {
					if names[r.Alert] {
						f.warnf("%s: alert %s defined twice", o.ref(), r.Alert)
					}
					names[r.Alert] = true
				}
			}
		}
	}
}

// --- helpers ----------------------------------------------------------------------------

func sortedStrings(in []string) []string {
	out := append([]string(nil), in...)
	sort.Strings(out)
	return out
}
