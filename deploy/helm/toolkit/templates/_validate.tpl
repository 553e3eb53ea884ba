{{/*
Refuses values that would render a broken deployment, with the setting to change. Included
by configmap.yaml, so every render runs it.
*/}}
{{- define "toolkit.validate" -}}
{{- $v := .Values -}}
{{- if not $v.kafka.brokers -}}
{{- fail "kafka.brokers: name at least one bootstrap server" -}}
{{- end -}}
{{- range $component := splitList " " (include "toolkit.services" .) -}}
{{- $svc := get $v $component -}}
{{- if eq (int $svc.httpPort) (int $svc.metricsPort) -}}
{{- fail (printf "%s: httpPort and metricsPort must differ (the metrics port serves /metrics and the detailed /readyz)" $component) -}}
{{- end -}}
{{- end -}}

{{/* Executors: one consumer per partition at most. */}}
{{- $partitions := include "toolkit.requestsPartitions" . | int64 -}}
{{- $as := $v.executor.autoscaling -}}
{{- if $as.enabled -}}
{{- if gt (int64 $as.maxReplicas) $partitions -}}
{{- fail (printf "executor.autoscaling.maxReplicas (%d) is above the requests topic's partitions (%d): an executor beyond the partition count gets no partition; raise kafka.topics.requests.partitions or lower maxReplicas" (int64 $as.maxReplicas) $partitions) -}}
{{- end -}}
{{- if gt (int64 $as.minReplicas) (int64 $as.maxReplicas) -}}
{{- fail "executor.autoscaling.minReplicas is above maxReplicas" -}}
{{- end -}}
{{- if and (not $as.keda.enabled) (lt (int64 $as.minReplicas) 1) -}}
{{- fail "executor.autoscaling.minReplicas: the HPA fallback cannot scale to zero (set at least 1)" -}}
{{- end -}}
{{- $grace := include "toolkit.graceSeconds" (dict "root" . "component" "executor") | int64 -}}
{{- if lt (int64 $as.scaleDown.stabilizationWindowSeconds) $grace -}}
{{- fail (printf "executor.autoscaling.scaleDown.stabilizationWindowSeconds (%d) is shorter than the executors' grace period (%ds): a replica would be removed while the previous one may still drain" (int64 $as.scaleDown.stabilizationWindowSeconds) $grace) -}}
{{- end -}}
{{- if and $as.keda.enabled (lt (int64 $as.keda.cooldownPeriod) $grace) -}}
{{- fail (printf "executor.autoscaling.keda.cooldownPeriod (%d) is shorter than the executors' grace period (%ds)" (int64 $as.keda.cooldownPeriod) $grace) -}}
{{- end -}}
{{- else if gt (int64 $v.executor.replicas) $partitions -}}
{{- fail (printf "executor.replicas (%d) is above the requests topic's partitions (%d)" (int64 $v.executor.replicas) $partitions) -}}
{{- end -}}

{{/* The executor's drain must outlast a command it may be running. */}}
{{- $commandTimeout := int64 (default 300000 (get $v.executor.env "EXECUTOR_MAX_COMMAND_TIMEOUT_MS")) -}}
{{- if and (lt (int64 $v.executor.shutdownTimeoutMs) $commandTimeout) (not $v.executor.allowDrainShorterThanCommandTimeout) -}}
{{- fail (printf "executor.shutdownTimeoutMs (%d) is shorter than EXECUTOR_MAX_COMMAND_TIMEOUT_MS (%d): a config command still running at the deadline is reported unknown; raise it, lower the command timeout, or set executor.allowDrainShorterThanCommandTimeout" (int64 $v.executor.shutdownTimeoutMs) $commandTimeout) -}}
{{- end -}}
{{- if not (has $v.executor.knownHostsMode (list "strict" "accept-new" "accept-any")) -}}
{{- fail "executor.knownHostsMode: strict, accept-new or accept-any" -}}
{{- end -}}

{{/* Kafka TLS files and SASL: what the services' configuration rules require. */}}
{{- $k := $v.kafka -}}
{{- if and (or $k.tls.caSecret.name $k.tls.clientCertSecret.name) (not $k.tls.enabled) -}}
{{- fail "kafka.tls.caSecret / kafka.tls.clientCertSecret need kafka.tls.enabled: true (KAFKA_SSL_*_FILE need KAFKA_SSL=true)" -}}
{{- end -}}
{{- if $k.sasl.enabled -}}
{{- if not (has $k.sasl.mechanism (list "plain" "scram-sha-256" "scram-sha-512")) -}}
{{- fail "kafka.sasl.mechanism: plain, scram-sha-256 or scram-sha-512" -}}
{{- end -}}
{{- if not (or $k.sasl.username $k.sasl.existingSecret.usernameKey) -}}
{{- fail "kafka.sasl.enabled: set kafka.sasl.username or kafka.sasl.existingSecret.usernameKey" -}}
{{- end -}}
{{- if $k.sasl.existingSecret.usernameKey -}}
{{- if not $k.sasl.existingSecret.name -}}
{{- fail "kafka.sasl.existingSecret.usernameKey needs kafka.sasl.existingSecret.name" -}}
{{- end -}}
{{- end -}}
{{- if not $k.sasl.existingSecret.name -}}
{{- if not $k.sasl.password -}}
{{- fail "kafka.sasl.enabled: no password source; set kafka.sasl.existingSecret.name (and passwordKey) or kafka.sasl.password" -}}
{{- end -}}
{{- if $v.secrets.existingSecret -}}
{{- fail "kafka.sasl.password is written to the chart's Secret, which secrets.existingSecret replaces: use kafka.sasl.existingSecret" -}}
{{- end -}}
{{- /* The topic Job is a pre-install/pre-upgrade hook: it runs before the chart's Secret exists (or is updated). */ -}}
{{- if $k.topics.job.enabled -}}
{{- fail "kafka.sasl.password reaches the chart's Secret only after the topic Job (a pre-install hook) has run: use kafka.sasl.existingSecret, or kafka.topics.job.enabled=false" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Secrets given in values. */}}
{{- if not $v.secrets.existingSecret -}}
{{- with $v.secrets.credentialKeys }}{{ include "toolkit.checkKeyring" (dict "value" . "what" "secrets.credentialKeys") }}{{ end -}}
{{- with $v.secrets.executionKeys }}{{ include "toolkit.checkKeyring" (dict "value" . "what" "secrets.executionKeys") }}{{ end -}}
{{- if and $v.secrets.internalApiToken (lt (len $v.secrets.internalApiToken) 16) -}}
{{- fail "secrets.internalApiToken: at least 16 characters" -}}
{{- end -}}
{{- if and $v.secrets.idempotencyKeySecret (lt (len $v.secrets.idempotencyKeySecret) 32) -}}
{{- fail "secrets.idempotencyKeySecret: at least 32 characters" -}}
{{- end -}}
{{- if not $v.secrets.generate -}}
{{- range $key := list "internalApiToken" "credentialKeys" "executionKeys" -}}
{{- if not (get $v.secrets $key) -}}
{{- fail (printf "secrets.%s is required (or secrets.existingSecret, or secrets.generate)" $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and (not $v.secrets.existingSecret) (not $v.mongodb.uri) -}}
{{- fail "mongodb.uri is required (or secrets.existingSecret with a mongodb-uri key)" -}}
{{- end -}}
{{- with $v.gateway.superuser -}}
{{- if and (or .password .apiToken) (not .username) -}}
{{- fail "gateway.superuser.username is required when its password or apiToken is set" -}}
{{- end -}}
{{- if and .apiToken (lt (len .apiToken) 32) -}}
{{- fail "gateway.superuser.apiToken: at least 32 characters" -}}
{{- end -}}
{{- if and .password (lt (len .password) 8) -}}
{{- fail "gateway.superuser.password: at least 8 characters" -}}
{{- end -}}
{{- end -}}
{{- if and $v.ingress.enabled $v.ingress.tls.enabled (not $v.ingress.tls.secretName) -}}
{{- fail "ingress.tls.secretName is required with ingress.tls.enabled" -}}
{{- end -}}
{{- if and $v.prometheusRule.enabled (not (.Files.Get "files/prometheus/rules.yaml")) -}}
{{- fail "prometheusRule.enabled: files/prometheus/rules.yaml (a link to deploy/prometheus/rules.yaml) is missing or empty" -}}
{{- end -}}
{{- end -}}
