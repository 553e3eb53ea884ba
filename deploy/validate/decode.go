package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	kedav1alpha1 "github.com/kedacore/keda/v2/apis/keda/v1alpha1"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	policyv1 "k8s.io/api/policy/v1"
	"k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	utilvalidation "k8s.io/apimachinery/pkg/util/validation"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// scheme knows the published Go API types of every kind the chart may render: Kubernetes
// (k8s.io/api), KEDA (keda.sh/v1alpha1) and the Prometheus Operator (monitoring.coreos.com/v1).
var scheme = func() *runtime.Scheme {
	s := runtime.NewScheme()
	for _, add := range []func(*runtime.Scheme) error{
		corev1.AddToScheme,
		appsv1.AddToScheme,
		policyv1.AddToScheme,
		networkingv1.AddToScheme,
		autoscalingv2.AddToScheme,
		batchv1.AddToScheme,
		kedav1alpha1.AddToScheme,
		monitoringv1.AddToScheme,
	} {
		if err := add(s); err != nil {
			panic(err)
		}
	}
	return s
}()

// allowedKinds is every kind the chart is expected to render; anything else is an error
// (a new kind is a decision, not an accident).
var allowedKinds = map[schema.GroupVersionKind]bool{
	corev1.SchemeGroupVersion.WithKind("ConfigMap"):                      true,
	corev1.SchemeGroupVersion.WithKind("Secret"):                         true,
	corev1.SchemeGroupVersion.WithKind("Service"):                        true,
	corev1.SchemeGroupVersion.WithKind("ServiceAccount"):                 true,
	appsv1.SchemeGroupVersion.WithKind("Deployment"):                     true,
	policyv1.SchemeGroupVersion.WithKind("PodDisruptionBudget"):          true,
	networkingv1.SchemeGroupVersion.WithKind("Ingress"):                  true,
	networkingv1.SchemeGroupVersion.WithKind("NetworkPolicy"):            true,
	autoscalingv2.SchemeGroupVersion.WithKind("HorizontalPodAutoscaler"): true,
	batchv1.SchemeGroupVersion.WithKind("Job"):                           true,
	kedav1alpha1.SchemeGroupVersion.WithKind("ScaledObject"):             true,
	kedav1alpha1.SchemeGroupVersion.WithKind("TriggerAuthentication"):    true,
	monitoringv1.SchemeGroupVersion.WithKind("ServiceMonitor"):           true,
	monitoringv1.SchemeGroupVersion.WithKind("PrometheusRule"):           true,
}

// object is one decoded manifest: its typed value and where it came from.
type object struct {
	gvk    schema.GroupVersionKind
	name   string
	source string
	typed  runtime.Object
	raw    map[string]interface{}
}

func (o object) ref() string { return o.gvk.Kind + "/" + o.name }

// decodeStrict turns one YAML document into its published Go type. YAML duplicate keys,
// JSON duplicate fields, unknown fields (case-sensitively: `Replicas` is not `replicas`) and
// values of the wrong type or format (a malformed quantity, a string for an integer) are
// errors, as a kube-apiserver with fieldValidation=Strict reports them.
func decodeStrict(doc document) (object, error) {
	data, err := yaml.YAMLToJSONStrict([]byte(doc.yaml))
	if err != nil {
		return object{}, fmt.Errorf("%s: YAML: %w", doc.source, err)
	}
	var meta metav1.TypeMeta
	if err := json.Unmarshal(data, &meta); err != nil {
		return object{}, fmt.Errorf("%s: not an object: %w", doc.source, err)
	}
	gv, err := schema.ParseGroupVersion(meta.APIVersion)
	if err != nil || meta.Kind == "" {
		return object{}, fmt.Errorf("%s: apiVersion %q / kind %q missing or malformed", doc.source, meta.APIVersion, meta.Kind)
	}
	gvk := gv.WithKind(meta.Kind)
	if !allowedKinds[gvk] {
		return object{}, fmt.Errorf("%s: %s is not a kind this chart renders (allowed: %s)", doc.source, gvk, allowedList())
	}
	typed, err := scheme.New(gvk)
	if err != nil {
		return object{}, fmt.Errorf("%s: %w", doc.source, err)
	}
	strictErrs, err := kjson.UnmarshalStrict(data, typed, kjson.DisallowDuplicateFields, kjson.DisallowUnknownFields)
	if err != nil {
		return object{}, fmt.Errorf("%s: %s: %w", doc.source, gvk.Kind, err)
	}
	if len(strictErrs) > 0 {
		msgs := make([]string, len(strictErrs))
		for i, e := range strictErrs {
			msgs[i] = e.Error()
		}
		return object{}, fmt.Errorf("%s: %s: strict decoding: %s", doc.source, gvk.Kind, strings.Join(msgs, "; "))
	}
	var raw map[string]interface{}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil {
		return object{}, err
	}
	accessor, ok := typed.(metav1.Object)
	if !ok {
		return object{}, fmt.Errorf("%s: %s has no metadata", doc.source, gvk.Kind)
	}
	o := object{gvk: gvk, name: accessor.GetName(), source: doc.source, typed: typed, raw: raw}
	if err := checkMetadata(o, accessor); err != nil {
		return object{}, err
	}
	return o, nil
}

func allowedList() string {
	var kinds []string
	for gvk := range allowedKinds {
		kinds = append(kinds, gvk.Kind)
	}
	return strings.Join(sortedStrings(kinds), ", ")
}

// checkMetadata applies the apiserver's own name and label rules (apimachinery validation).
func checkMetadata(o object, m metav1.Object) error {
	var problems []string
	if m.GetName() == "" {
		problems = append(problems, "metadata.name is empty")
	}
	nameRule := validation.NameIsDNSSubdomain
	if o.gvk.Kind == "Service" {
		nameRule = validation.NameIsDNS1035Label
	}
	for _, msg := range nameRule(m.GetName(), false) {
		problems = append(problems, "metadata.name: "+msg)
	}
	if m.GetNamespace() != "" {
		problems = append(problems, "metadata.namespace is set: the release's namespace is the one to use")
	}
	for k, v := range m.GetLabels() {
		for _, msg := range utilvalidation.IsQualifiedName(k) {
			problems = append(problems, fmt.Sprintf("label %q: %s", k, msg))
		}
		for _, msg := range utilvalidation.IsValidLabelValue(v) {
			problems = append(problems, fmt.Sprintf("label %s=%q: %s", k, v, msg))
		}
	}
	for k := range m.GetAnnotations() {
		for _, msg := range utilvalidation.IsQualifiedName(strings.ToLower(k)) {
			problems = append(problems, fmt.Sprintf("annotation %q: %s", k, msg))
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s: %s %q: %s", o.source, o.gvk.Kind, m.GetName(), strings.Join(problems, "; "))
	}
	return nil
}

// decodeAll decodes every document, collecting every error rather than stopping at the first.
func decodeAll(docs []document) ([]object, []error) {
	var objs []object
	var errs []error
	seen := map[string]string{}
	for _, d := range docs {
		o, err := decodeStrict(d)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		key := o.gvk.GroupKind().String() + "/" + o.name
		if prev, dup := seen[key]; dup {
			errs = append(errs, fmt.Errorf("%s: %s rendered twice (also by %s)", d.source, o.ref(), prev))
			continue
		}
		seen[key] = d.source
		objs = append(objs, o)
	}
	return objs, errs
}

var errNoDocuments = errors.New("no documents")
