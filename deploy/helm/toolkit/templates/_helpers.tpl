{{/* The four services, in the order objects are rendered. */}}
{{- define "toolkit.services" -}}
gateway catalog analytics executor
{{- end -}}

{{- define "toolkit.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Release-wide prefix of every object name (kept short: a component name follows). */}}
{{- define "toolkit.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Name of a component's objects: (dict "root" $ "component" "gateway"). */}}
{{- define "toolkit.componentName" -}}
{{- printf "%s-%s" (include "toolkit.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "toolkit.selectorLabels" -}}
app.kubernetes.io/name: {{ include "toolkit.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "toolkit.labels" -}}
{{ include "toolkit.selectorLabels" . }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/part-of: toolkit
{{- with .root.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "toolkit.image" -}}
{{- $img := .root.Values.image -}}
{{- $registry := $img.registry | trimSuffix "/" -}}
{{- $repo := printf "%s/%s" $img.repositoryPrefix .component -}}
{{- if $registry }}{{ $repo = printf "%s/%s" $registry $repo }}{{ end -}}
{{- printf "%s:%s" $repo (toString (default .root.Chart.AppVersion $img.tag)) -}}
{{- end -}}

{{- define "toolkit.secretName" -}}
{{- default (printf "%s-secrets" (include "toolkit.fullname" .)) .Values.secrets.existingSecret -}}
{{- end -}}

{{/*
Every topic of libs/contracts/src/topics.ts with its settings, as JSON:
{"requests": {"name": "<prefix>toolkit.execution.requests.v1", "partitions": 12, ...}}.
The requests topic's partition count is the one value that both the topic Job and the
executors' replica bound read.
*/}}
{{- define "toolkit.topics" -}}
{{- $t := .Values.kafka.topics -}}
{{- $prefix := .Values.kafka.topicPrefix -}}
{{- $names := dict
  "requests" "toolkit.execution.requests.v1"
  "results" "toolkit.execution.results.v1"
  "events" "toolkit.execution.events.v1"
  "cancellations" "toolkit.execution.cancellations.v1"
  "completions" "toolkit.execution.completions.v1"
  "catalogEvents" "toolkit.catalog.events.v1"
  "deadLetter" "toolkit.deadletter.v1" -}}
{{- $out := dict -}}
{{- range $key, $name := $names -}}
{{- $s := get $t $key | default dict -}}
{{- $config := dict -}}
{{- with get $s "retentionMs" }}{{ $_ := set $config "retention.ms" (int64 . | toString) }}{{ end -}}
{{- with get $s "maxMessageBytes" }}{{ $_ := set $config "max.message.bytes" (int64 . | toString) }}{{ end -}}
{{- with $t.minInsyncReplicas }}{{ $_ := set $config "min.insync.replicas" (int64 . | toString) }}{{ end -}}
{{- $_ := set $config "cleanup.policy" "delete" -}}
{{- $_ := set $out $key (dict "name" (printf "%s%s" $prefix $name) "partitions" (int64 (default $t.partitions (get $s "partitions"))) "replicationFactor" (int64 $t.replicationFactor) "config" $config) -}}
{{- end -}}
{{- toJson $out -}}
{{- end -}}

{{- define "toolkit.requestsPartitions" -}}
{{- $topics := include "toolkit.topics" . | fromJson -}}
{{- $topics.requests.partitions | int64 -}}
{{- end -}}

{{/* A memory quantity (Gi, Mi, G, M or bytes, integers) in MiB. */}}
{{- define "toolkit.memoryMiB" -}}
{{- $q := toString . -}}
{{- if not (regexMatch "^[0-9]+(Gi|Mi|G|M)?$" $q) -}}
{{- fail (printf "memory limit %q: write it as an integer of Gi, Mi, G, M or bytes" $q) -}}
{{- end -}}
{{- if hasSuffix "Gi" $q -}}{{ mul (trimSuffix "Gi" $q | atoi) 1024 }}
{{- else if hasSuffix "Mi" $q -}}{{ trimSuffix "Mi" $q | atoi }}
{{- else if hasSuffix "G" $q -}}{{ div (mul (trimSuffix "G" $q | atoi) 1000000000) 1048576 }}
{{- else if hasSuffix "M" $q -}}{{ div (mul (trimSuffix "M" $q | atoi) 1000000) 1048576 }}
{{- else -}}{{ div (atoi $q) 1048576 }}
{{- end -}}
{{- end -}}

{{/* terminationGracePeriodSeconds: preStop sleep + drain deadline (rounded up) + margin. */}}
{{- define "toolkit.graceSeconds" -}}
{{- $svc := get .root.Values .component -}}
{{- $drain := div (add (int64 $svc.shutdownTimeoutMs) 999) 1000 -}}
{{- add (int64 $svc.preStopSleepSeconds) $drain (int64 .root.Values.graceMarginSeconds) -}}
{{- end -}}

{{/* The executor group id as the cluster knows it (with the topic prefix). */}}
{{- define "toolkit.executorGroup" -}}
{{- printf "%s%s" .Values.kafka.topicPrefix .Values.executor.groupId -}}
{{- end -}}

{{- define "toolkit.internalUrl" -}}
{{- $svc := get .root.Values .component -}}
{{- printf "http://%s:%d" (include "toolkit.componentName" .) (int $svc.httpPort) -}}
{{- end -}}

{{- define "toolkit.publicUrl" -}}
{{- if .Values.gateway.publicUrl -}}
{{- .Values.gateway.publicUrl -}}
{{- else if and .Values.ingress.enabled .Values.ingress.tls.enabled .Values.ingress.host -}}
{{- printf "https://%s" .Values.ingress.host -}}
{{- end -}}
{{- end -}}

{{/* Variables the chart sets itself: a service's `env` may not set them. */}}
{{- define "toolkit.managedEnv" -}}
LOG_LEVEL HTTP_HOST HTTP_PORT METRICS_PORT METRICS_HOST SHUTDOWN_TIMEOUT_MS KAFKA_BROKERS KAFKA_SSL KAFKA_SASL_MECHANISM KAFKA_SASL_USERNAME KAFKA_SASL_PASSWORD KAFKA_SSL_CA_FILE KAFKA_SSL_CERT_FILE KAFKA_SSL_KEY_FILE KAFKA_CONNECTION_TIMEOUT_MS KAFKA_CREATE_TOPICS KAFKA_TOPIC_PARTITIONS KAFKA_REPLICATION_FACTOR KAFKA_TOPIC_PREFIX MONGODB_URI INTERNAL_API_TOKEN INTERNAL_API_TOKEN_PREVIOUS CREDENTIAL_KEYS EXECUTION_KEYS IDEMPOTENCY_KEY_SECRET CATALOG_URL ANALYTICS_URL EXECUTOR_GROUP_ID TRUSTED_PROXIES PUBLIC_URL SUPERUSER_USERNAME SUPERUSER_PASSWORD SUPERUSER_API_TOKEN EXECUTOR_KNOWN_HOSTS_MODE EXECUTOR_KNOWN_HOSTS_FILE NODE_OPTIONS
{{- end -}}

{{/*
Kafka's TLS files, from kafka.tls.caSecret and kafka.tls.clientCertSecret, in one
read-only volume at /etc/toolkit/kafka-tls (services and topic Job alike).
*/}}
{{- define "toolkit.kafkaTlsDir" -}}/etc/toolkit/kafka-tls{{- end -}}
{{- define "toolkit.kafkaTlsMounted" -}}
{{- if or .Values.kafka.tls.caSecret.name .Values.kafka.tls.clientCertSecret.name }}true{{ end -}}
{{- end -}}
{{- define "toolkit.kafkaTlsVolume" -}}
- name: kafka-tls
  projected:
    sources:
      {{- with .Values.kafka.tls.caSecret }}
      {{- if .name }}
      - secret:
          name: {{ .name }}
          items: [{ key: {{ .key | quote }}, path: ca.crt }]
      {{- end }}
      {{- end }}
      {{- with .Values.kafka.tls.clientCertSecret }}
      {{- if .name }}
      - secret:
          name: {{ .name }}
          items:
            - { key: {{ .certKey | quote }}, path: tls.crt }
            - { key: {{ .keyKey | quote }}, path: tls.key }
      {{- end }}
      {{- end }}
{{- end -}}

{{/* Non-secret Kafka security variables (NAME: "value" lines). */}}
{{- define "toolkit.kafkaSecurityConfig" -}}
{{- $k := .Values.kafka -}}
{{- $dir := include "toolkit.kafkaTlsDir" . -}}
{{- if $k.tls.caSecret.name }}
KAFKA_SSL_CA_FILE: {{ printf "%s/ca.crt" $dir | quote }}
{{- end }}
{{- if $k.tls.clientCertSecret.name }}
KAFKA_SSL_CERT_FILE: {{ printf "%s/tls.crt" $dir | quote }}
KAFKA_SSL_KEY_FILE: {{ printf "%s/tls.key" $dir | quote }}
{{- end }}
{{- if $k.sasl.enabled }}
KAFKA_SASL_MECHANISM: {{ $k.sasl.mechanism | quote }}
{{- if not $k.sasl.existingSecret.usernameKey }}
KAFKA_SASL_USERNAME: {{ $k.sasl.username | quote }}
{{- end }}
{{- end }}
{{- end -}}

{{/*
Where the SASL password (and a user kept in a Secret) come from: a list of
[variable, secret name, key] as JSON; empty without SASL.
*/}}
{{- define "toolkit.kafkaSaslRefs" -}}
{{- $s := .Values.kafka.sasl -}}
{{- $refs := list -}}
{{- if $s.enabled -}}
{{- if $s.existingSecret.name -}}
{{- if $s.existingSecret.usernameKey -}}
{{- $refs = append $refs (list "KAFKA_SASL_USERNAME" $s.existingSecret.name $s.existingSecret.usernameKey "username") -}}
{{- end -}}
{{- $refs = append $refs (list "KAFKA_SASL_PASSWORD" $s.existingSecret.name $s.existingSecret.passwordKey "password") -}}
{{- else -}}
{{- $refs = append $refs (list "KAFKA_SASL_PASSWORD" (include "toolkit.secretName" .) "kafka-sasl-password" "password") -}}
{{- end -}}
{{- end -}}
{{- toJson $refs -}}
{{- end -}}

{{/* The SASL secrets as container env entries (secretKeyRef). */}}
{{- define "toolkit.kafkaSaslEnv" -}}
{{- range include "toolkit.kafkaSaslRefs" . | fromJsonArray }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ index . 1 }}
      key: {{ index . 2 }}
{{- end }}
{{- end -}}
{{- define "toolkit.knownHostsPath" -}}/etc/toolkit/ssh/known_hosts{{- end -}}

{{/* Whether the executor mounts a known_hosts file. */}}
{{- define "toolkit.knownHostsMounted" -}}
{{- $e := .Values.executor -}}
{{- if or (eq $e.knownHostsMode "strict") $e.knownHosts $e.knownHostsConfigMap $e.knownHostsSecret }}true{{ end -}}
{{- end -}}

{{/*
Non-secret configuration of a service (its ConfigMap's data): (dict "root" $ "component" "gateway").
*/}}
{{- define "toolkit.config" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $svc := get $v .component -}}
{{- $topics := include "toolkit.topics" $root | fromJson -}}
LOG_LEVEL: {{ $v.logLevel | quote }}
HTTP_HOST: "0.0.0.0"
HTTP_PORT: {{ $svc.httpPort | toString | quote }}
METRICS_PORT: {{ $svc.metricsPort | toString | quote }}
METRICS_HOST: "0.0.0.0"
SHUTDOWN_TIMEOUT_MS: {{ int64 $svc.shutdownTimeoutMs | toString | quote }}
KAFKA_BROKERS: {{ join "," $v.kafka.brokers | quote }}
KAFKA_SSL: {{ ternary "true" "false" $v.kafka.tls.enabled | quote }}
KAFKA_CONNECTION_TIMEOUT_MS: {{ int64 $v.kafka.connectionTimeoutMs | toString | quote }}
KAFKA_CREATE_TOPICS: {{ ternary "false" "true" $v.kafka.topics.job.enabled | quote }}
KAFKA_TOPIC_PARTITIONS: {{ $topics.requests.partitions | int64 | toString | quote }}
KAFKA_REPLICATION_FACTOR: {{ int64 $v.kafka.topics.replicationFactor | toString | quote }}
KAFKA_TOPIC_PREFIX: {{ $v.kafka.topicPrefix | quote }}
{{- include "toolkit.kafkaSecurityConfig" $root }}
{{- if eq .component "gateway" }}
CATALOG_URL: {{ include "toolkit.internalUrl" (dict "root" $root "component" "catalog") | quote }}
ANALYTICS_URL: {{ include "toolkit.internalUrl" (dict "root" $root "component" "analytics") | quote }}
EXECUTOR_GROUP_ID: {{ $v.executor.groupId | quote }}
{{- with $svc.trustedProxies }}
TRUSTED_PROXIES: {{ . | quote }}
{{- end }}
{{- with include "toolkit.publicUrl" $root }}
PUBLIC_URL: {{ . | quote }}
{{- end }}
{{- with $svc.superuser.username }}
SUPERUSER_USERNAME: {{ . | quote }}
{{- end }}
{{- end }}
{{- if eq .component "analytics" }}
{{- $mib := include "toolkit.memoryMiB" $svc.resources.limits.memory | int64 }}
NODE_OPTIONS: {{ printf "--max-old-space-size=%d" (div (mul $mib (int64 $svc.heapPercentOfMemoryLimit)) 100) | quote }}
{{- end }}
{{- if eq .component "executor" }}
EXECUTOR_GROUP_ID: {{ $svc.groupId | quote }}
EXECUTOR_KNOWN_HOSTS_MODE: {{ $svc.knownHostsMode | quote }}
{{- if include "toolkit.knownHostsMounted" $root }}
EXECUTOR_KNOWN_HOSTS_FILE: {{ include "toolkit.knownHostsPath" $root | quote }}
{{- end }}
{{- end }}
{{- $managed := splitList " " (include "toolkit.managedEnv" $root) }}
{{- range $name, $value := $svc.env }}
{{- if has $name $managed }}
{{- fail (printf "%s.env.%s: the chart sets %s itself (see values.yaml for the setting that drives it)" $.component $name $name) }}
{{- end }}
{{ $name }}: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/* Secret variables of a service: env entries with secretKeyRef. */}}
{{- define "toolkit.secretEnv" -}}
{{- $root := .root -}}
{{- $v := $root.Values -}}
{{- $name := include "toolkit.secretName" $root -}}
{{- $external := ne $v.secrets.existingSecret "" -}}
{{- $refs := list (list "MONGODB_URI" "mongodb-uri" false) -}}
{{- if has .component (list "gateway" "catalog" "analytics") -}}
{{- $refs = append $refs (list "INTERNAL_API_TOKEN" "internal-api-token" false) -}}
{{- end -}}
{{- if and (has .component (list "catalog" "analytics")) (or $external $v.secrets.internalApiTokenPrevious) -}}
{{- $refs = append $refs (list "INTERNAL_API_TOKEN_PREVIOUS" "internal-api-token-previous" true) -}}
{{- end -}}
{{- if eq .component "catalog" -}}
{{- $refs = append $refs (list "CREDENTIAL_KEYS" "credential-keys" false) -}}
{{- end -}}
{{- if has .component (list "catalog" "executor") -}}
{{- $refs = append $refs (list "EXECUTION_KEYS" "execution-keys" false) -}}
{{- end -}}
{{- if eq .component "gateway" -}}
{{- if or $external $v.secrets.idempotencyKeySecret -}}
{{- $refs = append $refs (list "IDEMPOTENCY_KEY_SECRET" "idempotency-key-secret" true) -}}
{{- end -}}
{{- if or $external $v.gateway.superuser.password -}}
{{- $refs = append $refs (list "SUPERUSER_PASSWORD" "superuser-password" true) -}}
{{- end -}}
{{- if or $external $v.gateway.superuser.apiToken -}}
{{- $refs = append $refs (list "SUPERUSER_API_TOKEN" "superuser-api-token" true) -}}
{{- end -}}
{{- end -}}
{{- range $refs }}
- name: {{ index . 0 }}
  valueFrom:
    secretKeyRef:
      name: {{ $name }}
      key: {{ index . 1 }}
      {{- if index . 2 }}
      optional: true
      {{- end }}
{{- end }}
{{- include "toolkit.kafkaSaslEnv" $root }}
{{- end -}}

{{/* A key ring `kid:key,...` of 32-byte keys (base64 or 64 hex), as the services parse it. */}}
{{- define "toolkit.checkKeyring" -}}
{{- range $item := splitList "," .value -}}
{{- if not (regexMatch "^[^:,]+:([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$" (trim $item)) -}}
{{- fail (printf "%s: each key must be written kid:<32 bytes in base64 or 64 hex characters>" $.what) -}}
{{- end -}}
{{- end -}}
{{- end -}}


{{/* Scaling behaviour of the executors, shared by KEDA's HPA and the fallback HPA. */}}
{{- define "toolkit.executorBehavior" -}}
{{- $as := .Values.executor.autoscaling -}}
{{- $grace := include "toolkit.graceSeconds" (dict "root" . "component" "executor") | int -}}
scaleDown:
  stabilizationWindowSeconds: {{ $as.scaleDown.stabilizationWindowSeconds }}
  selectPolicy: Min
  policies:
    # One replica per grace period: each removal's drain (and the rebalance that follows)
    # ends before the next one starts.
    - type: Pods
      value: 1
      periodSeconds: {{ min $grace 1800 }}
scaleUp:
  stabilizationWindowSeconds: {{ $as.scaleUp.stabilizationWindowSeconds }}
  selectPolicy: Max
  policies:
    - type: Pods
      value: {{ $as.scaleUp.podsPerMinute }}
      periodSeconds: 60
{{- end -}}
