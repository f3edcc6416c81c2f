{{/* Names ----------------------------------------------------------------------------------------- */}}

{{- define "safecampus.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "safecampus.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* <fullname>-<component>; call with (dict "root" $ "component" "schools") */}}
{{- define "safecampus.componentName" -}}
{{- printf "%s-%s" (include "safecampus.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "safecampus.serviceAccountName" -}}
{{- default (include "safecampus.fullname" .) .Values.serviceAccount.name -}}
{{- end -}}

{{- define "safecampus.pgCluster" -}}
{{- default (printf "%s-db" (include "safecampus.fullname" .)) .Values.postgres.cluster.name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "safecampus.mqCluster" -}}
{{- default (printf "%s-mq" (include "safecampus.fullname" .)) .Values.rabbitmq.cluster.name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{- define "safecampus.keycloakName" -}}
{{- default (printf "%s-keycloak" (include "safecampus.fullname" .)) .Values.keycloak.name | trunc 50 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels ---------------------------------------------------------------------------------------- */}}

{{- define "safecampus.selectorLabels" -}}
app.kubernetes.io/name: {{ include "safecampus.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- end -}}

{{- define "safecampus.labels" -}}
{{ include "safecampus.selectorLabels" . }}
app.kubernetes.io/part-of: safecampus
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels of the release itself (no component). */}}
{{- define "safecampus.releaseLabels" -}}
app.kubernetes.io/name: {{ include "safecampus.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: safecampus
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Values ---------------------------------------------------------------------------------------- */}}

{{/*
Deep merge of (dict "dst" map "src" map) into dst, in place. Unlike sprig's mergeOverwrite it lets
`false`, `0` and `[]` from src win (an entry can switch autoscaling off).
*/}}
{{- define "safecampus.merge" -}}
{{- $dst := .dst -}}
{{- range $key, $value := .src -}}
{{- if and (kindIs "map" $value) (kindIs "map" (get $dst $key)) -}}
{{- include "safecampus.merge" (dict "dst" (get $dst $key) "src" $value) -}}
{{- else -}}
{{- $_ := set $dst $key $value -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* The effective settings of services.<name>, as YAML: (dict "root" $ "name" "schools") */}}
{{- define "safecampus.service" -}}
{{- $svc := deepCopy .root.Values.serviceDefaults -}}
{{- include "safecampus.merge" (dict "dst" $svc "src" (deepCopy (get .root.Values.services .name))) -}}
{{- $_ := set $svc "name" .name -}}
{{- toYaml $svc -}}
{{- end -}}

{{- define "safecampus.image" -}}
{{- $image := .Values.image -}}
{{- if $image.digest -}}
{{- printf "%s@%s" $image.repository $image.digest -}}
{{- else -}}
{{- printf "%s:%s" $image.repository (default .Chart.AppVersion $image.tag) -}}
{{- end -}}
{{- end -}}

{{- define "safecampus.dbHost" -}}
{{- if .Values.postgres.cluster.enabled -}}
{{- printf "%s-rw.%s.svc" (include "safecampus.pgCluster" .) .Release.Namespace -}}
{{- else -}}
{{- required "database.host is required when postgres.cluster.enabled is false" .Values.database.host -}}
{{- end -}}
{{- end -}}

{{- define "safecampus.dbCaSecret" -}}
{{- if .Values.database.caSecret.name -}}
{{- .Values.database.caSecret.name -}}
{{- else if .Values.postgres.cluster.enabled -}}
{{- printf "%s-ca" (include "safecampus.pgCluster" .) -}}
{{- end -}}
{{- end -}}

{{- define "safecampus.keycloakUrl" -}}
{{- if .Values.config.keycloakUrl -}}
{{- .Values.config.keycloakUrl -}}
{{- else if .Values.keycloak.enabled -}}
{{- printf "https://%s/" .Values.keycloak.hostname -}}
{{- else -}}
{{- fail "config.keycloakUrl is required when keycloak.enabled is false" -}}
{{- end -}}
{{- end -}}

{{/* The Secret of one database role's credentials: (dict "root" $ "role" "migrator") */}}
{{- define "safecampus.dbSecret" -}}
{{- printf "%s%s" .root.Values.database.credentialsSecretPrefix .role -}}
{{- end -}}

{{/* Checks that would otherwise fail at run time, not at install time. */}}
{{- define "safecampus.validate" -}}
{{- if and (not .Values.rabbitmq.cluster.enabled) (not .Values.broker.existingSecret.name) -}}
{{- fail "broker.existingSecret.name is required when rabbitmq.cluster.enabled is false" -}}
{{- end -}}
{{- $keycloakUrl := include "safecampus.keycloakUrl" . -}}
{{- if and (eq .Values.config.environment "production") (not (hasPrefix "https://" $keycloakUrl)) -}}
{{- fail "production needs a Keycloak URL over https (config.keycloakUrl)" -}}
{{- end -}}
{{- $_ := include "safecampus.dbHost" . -}}
{{- $portal := fromYaml (include "safecampus.service" (dict "root" . "name" "portal")) -}}
{{- if and (hasKey .Values.services "portal") $portal.enabled (not $portal.sessionStore.name) (or (gt (int $portal.replicas) 1) $portal.autoscaling.enabled) -}}
{{- fail "services.portal.sessionStore.name is required with more than one portal replica (sessions are per process otherwise)" -}}
{{- end -}}
{{- if and (eq .Values.config.trustedProxies "*") (not .Values.networkPolicy.enabled) -}}
{{- fail "config.trustedProxies \"*\" needs networkPolicy.enabled (otherwise any pod could claim any client address)" -}}
{{- end -}}
{{- end -}}

{{/* Pods -------------------------------------------------------------------------------------------- */}}

{{/*
The environment of a component: (dict "root" $ "component" "schools" "roles" (list "schools")
"mail" false "portal" false). roles: the database roles it connects as (short names).
*/}}
{{- define "safecampus.env" -}}
{{- $root := .root -}}
{{- $values := $root.Values -}}
- name: SAFECAMPUS_ENV
  value: {{ $values.config.environment | quote }}
- name: LOG_LEVEL
  value: {{ $values.config.logLevel | quote }}
- name: LOG_FORMAT
  value: json
- name: KEYCLOAK_URL
  value: {{ include "safecampus.keycloakUrl" $root | quote }}
- name: KEYCLOAK_REALM
  value: {{ $values.config.keycloakRealm | quote }}
- name: KEYCLOAK_AUDIENCE
  value: {{ $values.config.apiAudience | quote }}
- name: KEYCLOAK_PROVISIONER_CLIENT_ID
  value: {{ $values.config.provisionerClientId | quote }}
- name: KEYCLOAK_PROVISIONER_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $values.secrets.keycloakProvisioner.name }}
      key: {{ $values.secrets.keycloakProvisioner.key }}
- name: SAFECAMPUS_DB_NAME
  value: {{ $values.database.name | quote }}
- name: DATABASE_URL
  value: {{ printf "postgresql://%s:%v/%s" (include "safecampus.dbHost" $root) $values.database.port $values.database.name | quote }}
- name: PGSSLMODE
  value: {{ $values.database.sslMode | quote }}
{{- if include "safecampus.dbCaSecret" $root }}
- name: PGSSLROOTCERT
  value: /etc/safecampus/postgres-ca/ca.crt
{{- end }}
{{- range $role := .roles }}
{{- $var := printf "SAFECAMPUS_DB_PASSWORD_%s" (upper $role) }}
- name: {{ $var }}
  valueFrom:
    secretKeyRef:
      name: {{ include "safecampus.dbSecret" (dict "root" $root "role" $role) }}
      key: password
- name: {{ printf "%s_DATABASE_URL" (upper $role) }}
  value: {{ printf "postgresql://safecampus_%s:$(%s)@%s:%v/%s" $role $var (include "safecampus.dbHost" $root) $values.database.port $values.database.name | quote }}
{{- end }}
{{- if $values.rabbitmq.cluster.enabled }}
- name: RABBITMQ_USERNAME
  valueFrom:
    secretKeyRef:
      name: {{ include "safecampus.mqCluster" $root }}-default-user
      key: username
- name: RABBITMQ_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ include "safecampus.mqCluster" $root }}-default-user
      key: password
- name: BROKER_URL
  value: {{ printf "amqp://$(RABBITMQ_USERNAME):$(RABBITMQ_PASSWORD)@%s.%s.svc:5672/%%2F" (include "safecampus.mqCluster" $root) $root.Release.Namespace | quote }}
{{- else }}
- name: BROKER_URL
  valueFrom:
    secretKeyRef:
      name: {{ $values.broker.existingSecret.name }}
      key: {{ $values.broker.existingSecret.key }}
{{- end }}
{{- range $name, $entry := $values.services }}
{{- $svc := fromYaml (include "safecampus.service" (dict "root" $root "name" $name)) }}
{{- if and $svc.enabled (eq $svc.kind "api") }}
- name: {{ printf "%s_API_URL" (upper $name) }}
  value: {{ printf "http://%s.%s.svc:%v" (include "safecampus.componentName" (dict "root" $root "component" $name)) $root.Release.Namespace $svc.port | quote }}
{{- end }}
{{- end }}
- name: SAFECAMPUS_FILES_URL
  value: {{ $values.files.bucketUrl | quote }}
- name: SAFECAMPUS_S3_ENDPOINT
  value: {{ $values.files.endpoint | quote }}
- name: SAFECAMPUS_S3_REGION
  value: {{ $values.files.region | quote }}
{{- with $values.files.credentials }}
{{- if .name }}
- name: SAFECAMPUS_S3_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .accessKeyIdKey }}
- name: SAFECAMPUS_S3_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .secretAccessKeyKey }}
{{- end }}
{{- end }}
{{- if and .mail $values.secrets.smtp.name }}
- name: SMTP_URL
  valueFrom:
    secretKeyRef:
      name: {{ $values.secrets.smtp.name }}
      key: {{ $values.secrets.smtp.key }}
{{- end }}
- name: FORWARDED_ALLOW_IPS
  value: {{ $values.config.trustedProxies | quote }}
{{- if .portal }}
- name: SAFECAMPUS_PORTAL_URL
  value: {{ $values.config.portalUrl | quote }}
- name: SAFECAMPUS_PORTAL_CLIENT_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $values.secrets.portalClient.name }}
      key: {{ $values.secrets.portalClient.key }}
- name: SAFECAMPUS_SESSION_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $values.secrets.session.name }}
      key: {{ $values.secrets.session.key }}
{{- with .sessionStore }}
{{- if .name }}
- name: PORTAL_SESSION_STORE_URL
  valueFrom:
    secretKeyRef:
      name: {{ .name }}
      key: {{ .key }}
{{- end }}
{{- end }}
{{- end }}
{{- if $values.tracing.enabled }}
- name: OTEL_EXPORTER_OTLP_ENDPOINT
  value: {{ $values.tracing.endpoint | quote }}
- name: OTEL_SERVICE_NAME
  value: {{ printf "safecampus-%s" .component | quote }}
- name: OTEL_TRACES_SAMPLER
  value: parentbased_traceidratio
- name: OTEL_TRACES_SAMPLER_ARG
  value: {{ $values.tracing.sampleRatio | quote }}
- name: POD_NAMESPACE
  valueFrom:
    fieldRef:
      fieldPath: metadata.namespace
- name: OTEL_RESOURCE_ATTRIBUTES
  value: {{ printf "deployment.environment=%s,k8s.namespace.name=$(POD_NAMESPACE),service.namespace=safecampus" $values.config.environment | quote }}
{{- end }}
{{- with $values.config.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- with .extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Pod-level settings shared by every component: (dict "root" $ "spec" <component values>), and
"serviceAccount" to use another account than the release's. */}}
{{- define "safecampus.podCommon" -}}
{{- $values := .root.Values -}}
serviceAccountName: {{ default (include "safecampus.serviceAccountName" .root) .serviceAccount }}
automountServiceAccountToken: false
enableServiceLinks: false
securityContext:
  {{- toYaml $values.podSecurityContext | nindent 2 }}
{{- with $values.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .spec.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
volumes:
  - name: tmp
    emptyDir:
      sizeLimit: 256Mi
  {{- if include "safecampus.dbCaSecret" .root }}
  - name: postgres-ca
    secret:
      secretName: {{ include "safecampus.dbCaSecret" .root }}
      items:
        - key: {{ $values.database.caSecret.key }}
          path: ca.crt
  {{- end }}
{{- end -}}

{{- define "safecampus.volumeMounts" -}}
- name: tmp
  mountPath: /tmp
{{- if include "safecampus.dbCaSecret" . }}
- name: postgres-ca
  mountPath: /etc/safecampus/postgres-ca
  readOnly: true
{{- end }}
{{- end -}}

{{- define "safecampus.topologySpread" -}}
topologySpreadConstraints:
  - maxSkew: 1
    topologyKey: kubernetes.io/hostname
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "safecampus.selectorLabels" . | nindent 8 }}
  - maxSkew: 1
    topologyKey: topology.kubernetes.io/zone
    whenUnsatisfiable: ScheduleAnyway
    labelSelector:
      matchLabels:
        {{- include "safecampus.selectorLabels" . | nindent 8 }}
{{- end -}}
