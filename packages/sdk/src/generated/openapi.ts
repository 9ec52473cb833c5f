// Generated from Bailey's OpenAPI document by openapi-typescript: do not edit.
// Regenerate with `npm run generate -w @bailey/sdk` after changing a procedure's input, output or meta.

export interface paths {
  "/runs": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List runs, newest first */
    get: operations["runs-list"];
    put?: never;
    /**
     * Create a run
     * @description JSON, or YAML (Bailey's fields or a moat.yaml) with Content-Type: application/yaml.
     */
    post: operations["runs-create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A run with its timeline, host, sidecars and network */
    get: operations["runs-get"];
    put?: never;
    post?: never;
    /** Destroy a run and everything it left on its host */
    delete: operations["runs-destroy"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/egress": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Where the run's egress proxy let it connect and where it refused, per host and port */
    get: operations["runs-egress"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/results": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The run's results: the diff, the commits bundle and artifacts (sizes, SHA-256, whether stored), the commits, the pushed branch, which results are missing and why */
    get: operations["runs-results"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/artifacts": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The run's artifacts (spec.artifacts): path, size, SHA-256, whether stored */
    get: operations["runs-artifacts"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/stop": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Stop a run: SIGTERM, then SIGKILL after graceSeconds */
    post: operations["runs-stop"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/hosts": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's hosts with their active run counts */
    get: operations["hosts-list"];
    put?: never;
    /** Add a host by hand; answers once its agent was greeted */
    post: operations["hosts-add"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/hosts/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One host */
    get: operations["hosts-get"];
    put?: never;
    post?: never;
    /** Remove a host with no active runs (drain it first) */
    delete: operations["hosts-remove"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/hosts/enrollments": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Recent enrollments */
    get: operations["hosts-enrollments"];
    put?: never;
    /** A one-time install command for a new host; the token is shown only here */
    post: operations["hosts-createEnrollment"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/hosts/enroll": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** install.sh reports a host back (the enrollment token is the credential) */
    post: operations["hosts-enroll"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/hosts/{id}/drain": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Place no new runs on the host (running ones finish) */
    post: operations["hosts-drain"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/hosts/{id}/resume": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** End a drain */
    post: operations["hosts-resume"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/hosts/image-pulls": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Recent pre-pulls, newest first (one host's with hostId) */
    get: operations["hosts-imagePulls"];
    put?: never;
    /** Ask one host (hostId) or every host with some labels (labels) to pull an image ahead of runs */
    post: operations["hosts-pullImage"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/audit": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Audit events, newest first */
    get: operations["audit-list"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/audit/verify": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Recompute the team's hash chain and check its signed checkpoints; names the first sequence number that cannot be trusted */
    get: operations["audit-verify"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/audit/public-key": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The ed25519 public key audit checkpoints are signed with, to keep elsewhere and verify exports offline */
    get: operations["audit-publicKey"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/team/policy": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's run policy: who may ask for docker:host, docker:dind and sandbox none; default timeout; queue cap; how long an unplaceable run waits */
    get: operations["team-policy"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Change the team's run policy (owners and admins; audited as team.policy_changed) */
    patch: operations["team-updatePolicy"];
    trace?: never;
  };
  "/team/storage": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Bytes the team's stored logs and results take, and how long they are kept */
    get: operations["team-storage"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/registry-credentials": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's registry credentials, without their secrets */
    get: operations["registries-list"];
    put?: never;
    /** Save the team's credential for a registry, replacing the one it had (admins; the secret is never returned) */
    post: operations["registries-save"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/registry-credentials/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Remove a registry credential (pulls from that registry are anonymous again) */
    delete: operations["registries-remove"];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/secrets": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's secrets: names and descriptions, never values */
    get: operations["secrets-list"];
    put?: never;
    /** Store a new team secret (admins; a name in use is a 409; the value is never returned) */
    post: operations["secrets-create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/secrets/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete a secret (runs naming it are refused from then on) */
    delete: operations["secrets-delete"];
    options?: never;
    head?: never;
    /** Replace a secret's value and/or description (admins) */
    patch: operations["secrets-update"];
    trace?: never;
  };
  "/grants": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's grants: which secret goes to which hosts, and how */
    get: operations["grants-list"];
    put?: never;
    /** Create a grant: a team secret the egress proxy injects into requests to some hosts (admins; a name in use is a 409) */
    post: operations["grants-create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/grants/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Delete a grant (runs naming it are refused from then on; queued ones fail at dispatch) */
    delete: operations["grants-delete"];
    options?: never;
    head?: never;
    /** Change a grant's secret, hosts, injection or description (admins) */
    patch: operations["grants-update"];
    trace?: never;
  };
  "/build-contexts": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's uploaded build contexts (sha256, size, when), newest first; older than 7 days and unused by active runs, they are deleted */
    get: operations["buildContexts-list"];
    put?: never;
    /** Upload a build context: the tar (or gzipped tar) a run's Dockerfile builds from; name its sha256 in the run's build.context (201 new, 200 the same bytes again) */
    post: operations["build-contexts.upload"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/webhooks": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's webhook endpoints, without their secrets (members and above) */
    get: operations["webhooks-list"];
    put?: never;
    /** Add a webhook endpoint (admins); the response carries its signing secret, shown only this once */
    post: operations["webhooks-create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/webhooks/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One webhook endpoint, without its secret */
    get: operations["webhooks-get"];
    put?: never;
    post?: never;
    /** Delete an endpoint with its delivery log (admins); its pending deliveries are dropped */
    delete: operations["webhooks-delete"];
    options?: never;
    head?: never;
    /** Change an endpoint's URL, events, description, or enable/disable it (admins) */
    patch: operations["webhooks-update"];
    trace?: never;
  };
  "/webhooks/{id}/rotate-secret": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** A new signing secret for the endpoint (admins), shown only this once; the next request is signed with it */
    post: operations["webhooks-rotateSecret"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/webhooks/{id}/deliveries": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** An endpoint's deliveries, newest first, each with its requests and their answers */
    get: operations["webhooks-deliveries"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/webhooks/deliveries/{id}/redeliver": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Send a delivery's event again now, with the same webhook-id (admins); answers with the request's outcome */
    post: operations["webhooks-redeliver"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/webhooks/{id}/test": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Queue a webhook.test event for this endpoint only (admins); it is delivered like any other */
    post: operations["webhooks-sendTest"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/overview": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's runs, queue, start latency, failures and host load per hour */
    get: operations["overview-get"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/pools": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's warm pools (or one host's, ?hostId=) with each host's last report: idle, starting, last error */
    get: operations["pools-list"];
    put?: never;
    /** Keep N containers of an image started ahead on a host, for runs of that image, sandbox and resources to start warm (admins) */
    post: operations["pools-create"];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/pools/{id}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** Remove a pool: its idle containers are removed on the host's next tick (runs given one keep it) */
    delete: operations["pools-delete"];
    options?: never;
    head?: never;
    /** Change a pool's size, image, sandbox, resources or idle command (admins) */
    patch: operations["pools-update"];
    trace?: never;
  };
  "/runs/{id}/logs": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The run's output as text; follow=true keeps streaming until the run ends or the client leaves, and for a run not started yet first waits (up to 5 minutes) for it to start; without follow such a run is 409 */
    get: operations["runs.id.logs"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/diff": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The run's diff against the commit its workspace was cloned at (uncommitted and untracked changes included; git apply --binary applies it), with its SHA-256 in x-content-sha256; 404 saying why when it has none */
    get: operations["runs.id.diff"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/bundle": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The commits the run made, as a git bundle (git fetch <file> <commit>), with its SHA-256 in x-content-sha256; 404 saying why when it made none */
    get: operations["runs.id.bundle"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/artifacts/{name}": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** One of the run's artifacts as an attachment, with its SHA-256 in x-content-sha256 */
    get: operations["runs.id.artifacts.name"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/audit/export": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** The team's whole audit chain as JSON lines, oldest first; signed checkpoints follow their events and a signed head ends the file (npm run audit:verify checks it offline) */
    get: operations["audit.export"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  "/runs/{id}/exec": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** A WebSocket into the running run: an interactive exec session (a command, or attach to its main process), with stdin, output, PTY resize, exit code and resume after a drop (docs/exec.md). A refusal is answered before the upgrade with the usual JSON error; 409 when the run is not running */
    get: operations["runs.id.exec"];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    Error: {
      error: {
        /** @enum {string} */
        code: "BAD_REQUEST" | "UNAUTHORIZED" | "FORBIDDEN" | "NOT_FOUND" | "CONFLICT" | "PAYLOAD_TOO_LARGE" | "UNPROCESSABLE" | "UNAVAILABLE" | "INTERNAL";
        /** @description What happened and what to do about it. */
        message: string;
        /** @description For bad input: fields, one { field, message } per problem. */
        details?: {
          fields?: {
            field: string;
            message: string;
          }[];
        };
      };
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  "runs-list": {
    parameters: {
      query?: {
        state?: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
        host?: string;
        creator?: string;
        q?: string;
        limit?: number;
        cursor?: string | null;
        direction?: "forward" | "backward";
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            runs: ({
              id: string;
              name: string | null;
              image: string | null;
              /** @enum {string} */
              state: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
              hostId: string | null;
              createdById: string | null;
              apiTokenId: string | null;
              /** Format: date-time */
              createdAt: string;
              startedAt: string | null;
              finishedAt: string | null;
              exitCode: number | null;
              /** @description The run's timeout; a run that hits it ends timed_out */
              timeoutSeconds: number | null;
              /** @description Why a queued run is not placed yet, refreshed by the scheduler; null once placed */
              waitReason: string | null;
              /** @description Since when the run has waited for this reason */
              waitReasonAt: string | null;
              /** @description Since when no host of the team could ever take it; it fails after the team's unplaceableTimeoutSeconds */
              unplaceableSince: string | null;
              host: {
                name: string;
              } | null;
            } & {
              [key: string]: unknown;
            })[];
            nextCursor: string | null;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs-create": {
    parameters: {
      query?: never;
      header?: {
        /** @description A retry with the same key and body returns the first run; the same key with another body is 409. */
        "idempotency-key"?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          name?: string;
          image?: string;
          /** @description Build the run's image on its host instead of naming one (not with image): dockerfileInline (the Dockerfile's text), or context (the sha256 of a tar uploaded with POST /build-contexts) with dockerfile (its path in the tar, default Dockerfile); target and args as for docker build. The host builds with BuildKit (a BuildKit endpoint, the engine's own, else the legacy builder; Buildah on Podman) and runs the image, tagged bailey-build/<run id>:latest, never pulled; the run's timeline shows the builder and its logs the build. */
          build?: {
            context?: string;
            dockerfile?: string;
            dockerfileInline?: string;
            target?: string;
            /** @default {} */
            args?: {
              [key: string]: string;
            };
          };
          /**
           * @default if-not-present
           * @enum {string}
           */
          pullPolicy?: "if-not-present" | "always" | "never";
          command?: string[];
          /** @default {} */
          env?: {
            [key: string]: string;
          };
          /** @default {} */
          secrets?: {
            [key: string]: string;
          };
          /** @default [] */
          secretFiles?: string[];
          /** @default [] */
          grants?: string[];
          network?: {
            /** @enum {string} */
            policy?: "open" | "strict";
            /** @default [] */
            allow?: string[];
          };
          /** @description The container's working directory; a workspace is mounted here (default /workspace) */
          workdir?: string;
          /** @description A per-run directory on the host mounted at the workdir: empty ({}), or a clone of git at ref (depth for a shallow clone). An https:// remote uses the credential of grant (one of the team's grants covering its host); an ssh:// or user@host:path remote the deploy key in the team secret sshKeySecret. When the run ends its diff against the starting commit and new commits (a git bundle) are kept as results. */
          workspace?: {
            git?: string;
            ref?: string;
            depth?: number;
            sshKeySecret?: string;
            grant?: string;
          };
          /** @description uid or uid:gid the run runs as; a workspace run defaults to 1000:1000 and owns its workspace */
          user?: string;
          /** @description Globs relative to the workdir (dist/**, **\/*.log) of files kept as the run's artifacts when it ends; needs a workspace */
          artifacts?: string[];
          /** @description Push the run's commits to this branch of the workspace's repository when it ends (bailey/<run id> is a good name); needs workspace.git */
          push?: {
            branch: string;
          };
          /**
           * @description docker:host: the socket of the host's own engine (Docker's or Podman's) at /var/run/docker.sock (DOCKER_HOST set); every container it starts is the host's. Under gVisor it needs a host whose Docker registers the runsc-host-uds runtime; on Podman hosts it needs sandbox none. docker:dind: a BuildKit daemon of the run's own (a sidecar on the run's network, BUILDKIT_HOST=tcp://buildkit:1234, for buildctl or docker buildx's remote driver) and a privileged main container; Bailey starts no Docker engine for it, so `docker run` needs an image that brings and starts its own dockerd.
           * @default []
           */
          dependencies?: string[];
          /**
           * @default gvisor
           * @enum {string}
           */
          sandbox?: "gvisor" | "none";
          /**
           * @default {
           *       "labels": {}
           *     }
           */
          placement?: {
            /** @default {} */
            labels?: {
              [key: string]: string;
            };
          };
          /** @default {} */
          resources?: {
            cpus?: number;
            memory?: string | number;
            pids?: number;
            timeoutSeconds?: number;
          };
        };
        "application/yaml": string;
        "application/x-yaml": string;
        "text/yaml": string;
        "text/x-yaml": string;
      };
    };
    responses: {
      /** @description An Idempotency-Key retry: what the first request created */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            run: {
              id: string;
              name: string | null;
              /** @enum {string} */
              state: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
              image: string | null;
              hostId: string | null;
              /** Format: date-time */
              createdAt: string;
              spec: unknown;
            } & {
              [key: string]: unknown;
            };
            created: boolean;
            ignored: {
              field: string;
              reason: string;
            }[];
          };
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            run: {
              id: string;
              name: string | null;
              /** @enum {string} */
              state: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
              image: string | null;
              hostId: string | null;
              /** Format: date-time */
              createdAt: string;
              spec: unknown;
            } & {
              [key: string]: unknown;
            };
            created: boolean;
            ignored: {
              field: string;
              reason: string;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs-get": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            run: {
              id: string;
              teamId: string;
              hostId: string | null;
              createdById: string | null;
              apiTokenId: string | null;
              name: string | null;
              spec: unknown;
              specFormat: string;
              image: string | null;
              command: string[];
              dependencies: string[];
              /** @enum {string} */
              sandbox: "gvisor" | "none";
              placement: unknown;
              cpus: number | null;
              memoryBytes: string | null;
              pidsLimit: number | null;
              timeoutSeconds: number | null;
              /** @enum {string} */
              state: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
              stateReason: string | null;
              exitCode: number | null;
              containerId: string | null;
              lastError: string | null;
              /** @description Why a queued run is not placed yet, refreshed by the scheduler; null once placed */
              waitReason: string | null;
              /** @description Since when the run has waited for this reason */
              waitReasonAt: string | null;
              /** @description Since when no host of the team could ever take it; it fails after the team's unplaceableTimeoutSeconds */
              unplaceableSince: string | null;
              imageDigest: string | null;
              pullProgress: {
                image: string;
                bytesDone: number;
                bytesTotal: number;
                startedAt: string;
                finishedAt: string | null;
                error: string | null;
                cached?: boolean;
              } | null;
              /** @description The warm pool whose pre-started container the run claimed (a warm start); null for a cold start */
              warmPoolId: string | null;
              /** Format: date-time */
              createdAt: string;
              scheduledAt: string | null;
              startedAt: string | null;
              finishedAt: string | null;
              transitions: ({
                /** Format: int64 */
                id: string;
                runId: string;
                fromState: ("queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out") | null;
                /** @enum {string} */
                toState: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
                reason: string | null;
                /** Format: date-time */
                at: string;
              } & {
                [key: string]: unknown;
              })[];
              host: {
                id: string;
                name: string;
                status: string;
              } | null;
              sidecars: ({
                id: string;
                role: string;
                name: string;
                image: string;
                containerId: string | null;
                state: string;
                /** Format: date-time */
                createdAt: string;
                removedAt: string | null;
              } & {
                [key: string]: unknown;
              })[];
              networks: ({
                id: string;
                name: string;
                networkId: string | null;
                /** Format: date-time */
                createdAt: string;
                removedAt: string | null;
              } & {
                [key: string]: unknown;
              })[];
              /** @description How the run's image was built from its Dockerfile on the host (spec.build): the builders tried and why, then how long it took or the build's error; empty for a run that names an image */
              buildSteps: {
                /** @description The event's place in its host's journal */
                seq: number;
                /** @enum {string} */
                type: "build.started" | "build.builder" | "build.finished" | "build.failed";
                /** Format: date-time */
                at: string;
                /** @description buildkit-endpoint, engine-buildkit or legacy */
                builder: string | null;
                /** @description Why this builder was chosen (build.builder) */
                reason: string | null;
                /** @description How long the build took (build.finished) */
                durationMs: number | null;
                /** @description The build's error (build.failed) */
                message: string | null;
              }[];
              /** @description The run's results (GET /runs/{id}/results): none asked for, pending (the run keeps its state, collecting results, until they are stored), complete or partial */
              resultsState: string;
              /** @description What the run's end said it is, while its results are stored; it takes this state once they are */
              endedState: ("queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out") | null;
              endedReason: string | null;
              /** @description The commit its workspace was cloned at */
              baseCommit: string | null;
              /** @description HEAD of its workspace when it ended */
              headCommit: string | null;
              /** @description spec.push's branch, once pushed */
              pushedBranch: string | null;
              pushedCommit: string | null;
              /** @description When the team's retention removed its stored logs and results (the record stays) */
              blobsExpiredAt: string | null;
              /** @description Names in spec.env whose values are shown as [redacted]: they look like credentials and the caller is a viewer or a token without runs:write. Use team secrets for real credentials. */
              redactedEnv: string[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs-destroy": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            runId: string;
            removed: string[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs-egress": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            /** @description One entry per host, port and decision: denials first, then the most recent first */
            egress: {
              host: string;
              port: number;
              /** @enum {string} */
              decision: "allowed" | "denied";
              /** @description The grant whose credential was injected, or "allow" (network.allow); null for a denial */
              via: string | null;
              /** @description Why the proxy refused (denials only): it names the setting that would allow it */
              reason: string | null;
              /** @description Connections (or plain-HTTP requests) with this outcome */
              connections: number;
              /** @description Bytes the run received, on the run's side of the proxy */
              bytesIn: number;
              /** @description Bytes the run sent */
              bytesOut: number;
              /** Format: date-time */
              firstAt: string;
              /** Format: date-time */
              lastAt: string;
            }[];
            /** @description Connections allowed and denied */
            totals: {
              allowed: number;
              denied: number;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs-results": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            /**
             * @description none: the spec asks for no results; pending: the run has not ended or its results are shipping; complete; partial: `missing` says what and why
             * @enum {string}
             */
            state: "none" | "pending" | "complete" | "partial";
            missing: {
              name: string;
              reason: string;
            }[];
            files: {
              /** @description diff.patch, commits.bundle, or artifacts/<path relative to the workdir> */
              name: string;
              /** @enum {string} */
              kind: "diff" | "bundle" | "artifact";
              sizeBytes: number;
              /** @description Lower-case hex SHA-256 of the file's bytes (downloads carry it in x-content-sha256) */
              sha256: string;
              /** @description Every byte is in Bailey's blob store and downloads; false while it ships from the host, or after retention removed it */
              stored: boolean;
            }[];
            /** @description The commit the workspace was cloned at */
            baseCommit: string | null;
            /** @description HEAD of the workspace when the run ended */
            headCommit: string | null;
            /** @description spec.push's branch and the commit pushed to it */
            pushed: {
              branch: string;
              commit: string;
            } | null;
            workspace: {
              git: string | null;
              ref: string | null;
            } | null;
            /** @description The run's output stored durably, and whether all of it is */
            logs: {
              storedBytes: number;
              complete: boolean;
            };
            /** @description When the team's retention removed the stored logs and results */
            expiredAt: string | null;
            retentionDays: number;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs-artifacts": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            artifacts: {
              /** @description diff.patch, commits.bundle, or artifacts/<path relative to the workdir> */
              name: string;
              /** @enum {string} */
              kind: "diff" | "bundle" | "artifact";
              sizeBytes: number;
              /** @description Lower-case hex SHA-256 of the file's bytes (downloads carry it in x-content-sha256) */
              sha256: string;
              /** @description Every byte is in Bailey's blob store and downloads; false while it ships from the host, or after retention removed it */
              stored: boolean;
              /** @description The artifact's path relative to the workdir: GET /runs/{id}/artifacts/{path} downloads it */
              path: string;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs-stop": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @default 10 */
          graceSeconds?: number;
        };
      };
    };
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            run: {
              id: string;
              teamId: string;
              hostId: string | null;
              createdById: string | null;
              apiTokenId: string | null;
              name: string | null;
              spec: unknown;
              specFormat: string;
              image: string | null;
              command: string[];
              dependencies: string[];
              /** @enum {string} */
              sandbox: "gvisor" | "none";
              placement: unknown;
              cpus: number | null;
              memoryBytes: string | null;
              pidsLimit: number | null;
              timeoutSeconds: number | null;
              /** @enum {string} */
              state: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
              stateReason: string | null;
              exitCode: number | null;
              containerId: string | null;
              lastError: string | null;
              /** @description Why a queued run is not placed yet, refreshed by the scheduler; null once placed */
              waitReason: string | null;
              /** @description Since when the run has waited for this reason */
              waitReasonAt: string | null;
              /** @description Since when no host of the team could ever take it; it fails after the team's unplaceableTimeoutSeconds */
              unplaceableSince: string | null;
              imageDigest: string | null;
              pullProgress: {
                image: string;
                bytesDone: number;
                bytesTotal: number;
                startedAt: string;
                finishedAt: string | null;
                error: string | null;
                cached?: boolean;
              } | null;
              /** @description The warm pool whose pre-started container the run claimed (a warm start); null for a cold start */
              warmPoolId: string | null;
              /** Format: date-time */
              createdAt: string;
              scheduledAt: string | null;
              startedAt: string | null;
              finishedAt: string | null;
              transitions: ({
                /** Format: int64 */
                id: string;
                runId: string;
                fromState: ("queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out") | null;
                /** @enum {string} */
                toState: "queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out";
                reason: string | null;
                /** Format: date-time */
                at: string;
              } & {
                [key: string]: unknown;
              })[];
              host: {
                id: string;
                name: string;
                status: string;
              } | null;
              sidecars: ({
                id: string;
                role: string;
                name: string;
                image: string;
                containerId: string | null;
                state: string;
                /** Format: date-time */
                createdAt: string;
                removedAt: string | null;
              } & {
                [key: string]: unknown;
              })[];
              networks: ({
                id: string;
                name: string;
                networkId: string | null;
                /** Format: date-time */
                createdAt: string;
                removedAt: string | null;
              } & {
                [key: string]: unknown;
              })[];
              /** @description How the run's image was built from its Dockerfile on the host (spec.build): the builders tried and why, then how long it took or the build's error; empty for a run that names an image */
              buildSteps: {
                /** @description The event's place in its host's journal */
                seq: number;
                /** @enum {string} */
                type: "build.started" | "build.builder" | "build.finished" | "build.failed";
                /** Format: date-time */
                at: string;
                /** @description buildkit-endpoint, engine-buildkit or legacy */
                builder: string | null;
                /** @description Why this builder was chosen (build.builder) */
                reason: string | null;
                /** @description How long the build took (build.finished) */
                durationMs: number | null;
                /** @description The build's error (build.failed) */
                message: string | null;
              }[];
              /** @description The run's results (GET /runs/{id}/results): none asked for, pending (the run keeps its state, collecting results, until they are stored), complete or partial */
              resultsState: string;
              /** @description What the run's end said it is, while its results are stored; it takes this state once they are */
              endedState: ("queued" | "scheduled" | "provisioning" | "running" | "stopping" | "succeeded" | "failed" | "cancelled" | "lost" | "timed_out") | null;
              endedReason: string | null;
              /** @description The commit its workspace was cloned at */
              baseCommit: string | null;
              /** @description HEAD of its workspace when it ended */
              headCommit: string | null;
              /** @description spec.push's branch, once pushed */
              pushedBranch: string | null;
              pushedCommit: string | null;
              /** @description When the team's retention removed its stored logs and results (the record stays) */
              blobsExpiredAt: string | null;
              /** @description Names in spec.env whose values are shown as [redacted]: they look like credentials and the caller is a viewer or a token without runs:write. Use team secrets for real credentials. */
              redactedEnv: string[];
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-list": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            hosts: ({
              id: string;
              name: string;
              /** @enum {string} */
              status: "pending" | "online" | "offline" | "draining" | "key_mismatch" | "removed";
              statusReason: string | null;
              address: string;
              sshPort: number;
              sshUser: string;
              hostKeyFingerprint: string | null;
              agentId: string | null;
              runtimeType: string | null;
              agentVersion: string | null;
              labels: unknown;
              capacityRuns: number;
              cpus: number | null;
              memoryBytes: string | null;
              hasNetworks: boolean;
              hasSidecars: boolean;
              hasBuilds: boolean;
              hasRunsc: boolean;
              /** @description Its agent clones workspaces and collects results (spec.workspace, artifacts, push) */
              hasWorkspaces: boolean;
              drainedAt: string | null;
              lastSeenAt: string | null;
              cachedImages: {
                id: string;
                tags: string[];
                digests: string[];
                sizeBytes: number;
                createdAt: string | null;
              }[];
              cachedImagesAt: string | null;
              /** Format: date-time */
              createdAt: string;
              activeRuns: number;
            } & {
              [key: string]: unknown;
            })[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-add": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          name: string;
          address: string;
          /** @default 22 */
          sshPort?: number;
          /** @default bailey */
          sshUser?: string;
          hostKeyFingerprint: string;
          /** @default {} */
          labels?: {
            [key: string]: string;
          };
          /** @default 4 */
          capacityRuns?: number;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            host: {
              id: string;
              name: string;
              /** @enum {string} */
              status: "pending" | "online" | "offline" | "draining" | "key_mismatch" | "removed";
              statusReason: string | null;
              drainedAt: string | null;
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-get": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            host: {
              id: string;
              name: string;
              /** @enum {string} */
              status: "pending" | "online" | "offline" | "draining" | "key_mismatch" | "removed";
              statusReason: string | null;
              address: string;
              sshPort: number;
              sshUser: string;
              hostKeyFingerprint: string | null;
              agentId: string | null;
              runtimeType: string | null;
              agentVersion: string | null;
              labels: unknown;
              capacityRuns: number;
              cpus: number | null;
              memoryBytes: string | null;
              hasNetworks: boolean;
              hasSidecars: boolean;
              hasBuilds: boolean;
              hasRunsc: boolean;
              /** @description Its agent clones workspaces and collects results (spec.workspace, artifacts, push) */
              hasWorkspaces: boolean;
              drainedAt: string | null;
              lastSeenAt: string | null;
              cachedImages: {
                id: string;
                tags: string[];
                digests: string[];
                sizeBytes: number;
                createdAt: string | null;
              }[];
              cachedImagesAt: string | null;
              /** Format: date-time */
              createdAt: string;
              activeRuns: number;
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-remove": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            host: {
              id: string;
              name: string;
              /** @enum {string} */
              status: "pending" | "online" | "offline" | "draining" | "key_mismatch" | "removed";
              statusReason: string | null;
              drainedAt: string | null;
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-enrollments": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            enrollments: ({
              id: string;
              name: string;
              /** Format: date-time */
              expiresAt: string;
              usedAt: string | null;
              hostId: string | null;
              /** Format: date-time */
              createdAt: string;
            } & {
              [key: string]: unknown;
            })[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-createEnrollment": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          name: string;
          /** @default {} */
          labels?: {
            [key: string]: string;
          };
          /** @default 4 */
          capacityRuns?: number;
          /** @default 60 */
          expiresInMinutes?: number;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            enrollment: {
              id: string;
              name: string;
              /** Format: date-time */
              expiresAt: string;
              /** Format: date-time */
              createdAt: string;
            } & {
              [key: string]: unknown;
            };
            token: string;
            installCommand: string;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-enroll": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          token: string;
          address: string;
          /** @default 22 */
          sshPort?: number;
          /** @default bailey */
          sshUser?: string;
          hostKeyFingerprint: string;
          agentHostId?: string;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            host: {
              id: string;
              name: string;
              /** @enum {string} */
              status: "pending" | "online" | "offline" | "draining" | "key_mismatch" | "removed";
              statusReason: string | null;
              runtime: string | null;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-drain": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            host: {
              id: string;
              name: string;
              /** @enum {string} */
              status: "pending" | "online" | "offline" | "draining" | "key_mismatch" | "removed";
              statusReason: string | null;
              drainedAt: string | null;
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-resume": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            host: {
              id: string;
              name: string;
              /** @enum {string} */
              status: "pending" | "online" | "offline" | "draining" | "key_mismatch" | "removed";
              statusReason: string | null;
              drainedAt: string | null;
            } & {
              [key: string]: unknown;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-imagePulls": {
    parameters: {
      query?: {
        hostId?: string;
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            pulls: {
              id: string;
              hostId: string;
              image: string;
              /** @enum {string} */
              state: "pending" | "pulling" | "done" | "failed";
              digest: string | null;
              error: string | null;
              requestedById: string | null;
              /** Format: date-time */
              createdAt: string;
              startedAt: string | null;
              finishedAt: string | null;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "hosts-pullImage": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          image: string;
          hostId?: string;
          labels?: {
            [key: string]: string;
          };
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            pulls: {
              id: string;
              hostId: string;
              image: string;
              /** @enum {string} */
              state: "pending" | "pulling" | "done" | "failed";
              digest: string | null;
              error: string | null;
              requestedById: string | null;
              /** Format: date-time */
              createdAt: string;
              startedAt: string | null;
              finishedAt: string | null;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "audit-list": {
    parameters: {
      query?: {
        actor?: string;
        action?: string;
        run?: string;
        since?: string;
        until?: string;
        beforeSeq?: number;
        cursor?: number | null;
        direction?: "forward" | "backward";
        limit?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            events: ({
              /** Format: int64 */
              id: string;
              teamId: string;
              seq: number;
              actorType: string;
              actorId: string | null;
              action: string;
              targetType: string | null;
              targetId: string | null;
              runId: string | null;
              hostId: string | null;
              data: unknown;
              prevHash: string;
              hash: string;
              /** Format: date-time */
              createdAt: string;
            } & {
              [key: string]: unknown;
            })[];
            nextBeforeSeq: number | null;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "audit-verify": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            valid: boolean;
            events: number;
            headHash?: string;
            brokenAtSeq?: number;
            reason?: string;
            signatures: {
              configured: boolean;
              keyId: string | null;
              checkpoints: number;
              lastSignedSeq: number | null;
              lastSignedAt: string | null;
              unsignedEvents: number;
              otherKeyCheckpoints: number;
              summary: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "audit-publicKey": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            configured: boolean;
            /** @constant */
            algorithm: "ed25519";
            keyId: string | null;
            publicKeyPem: string | null;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "team-policy": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            policy: {
              /**
               * @description The least role that may submit docker:host runs (the host's engine socket: root on the host)
               * @enum {string}
               */
              minRoleDockerHost: "owner" | "admin" | "member" | "viewer";
              /**
               * @description The least role that may submit docker:dind runs (a privileged container and a BuildKit sidecar; no Docker engine unless the image brings one)
               * @enum {string}
               */
              minRoleDockerDind: "owner" | "admin" | "member" | "viewer";
              /**
               * @description The least role that may submit sandbox: "none" runs (no gVisor)
               * @enum {string}
               */
              minRoleSandboxNone: "owner" | "admin" | "member" | "viewer";
              /** @description Applied to a run whose spec sets no resources.timeoutSeconds */
              defaultRunTimeoutSeconds: number;
              /** @description A submission while this many runs are queued is refused with 429 */
              maxQueuedRuns: number;
              /** @description A queued run that no host of the team could ever take (labels, gVisor, BAILEY_ALLOW, no hosts) fails after this many seconds (30 s to 7 days) */
              unplaceableTimeoutSeconds: number;
              /**
               * @description The egress policy of a run whose spec sets no network.policy: "open" (the network as any container has it) or "strict" (only granted hosts and network.allow, through the egress proxy)
               * @enum {string}
               */
              defaultEgressPolicy: "open" | "strict";
              /** @description Stored logs and results (diff, bundle, artifacts) of runs that finished longer ago than this many days are removed by a scheduled clean-up; the runs' records stay (1-3650, default 30) */
              blobRetentionDays: number;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "team-updatePolicy": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @enum {string} */
          minRoleDockerHost?: "owner" | "admin" | "member";
          /** @enum {string} */
          minRoleDockerDind?: "owner" | "admin" | "member";
          /** @enum {string} */
          minRoleSandboxNone?: "owner" | "admin" | "member";
          /** @description Applied to a run whose spec sets no resources.timeoutSeconds */
          defaultRunTimeoutSeconds?: number;
          /** @description A submission while this many runs are queued is refused with 429 */
          maxQueuedRuns?: number;
          /** @description A queued run that no host of the team could ever take (labels, gVisor, BAILEY_ALLOW, no hosts) fails after this many seconds (30 s to 7 days) */
          unplaceableTimeoutSeconds?: number;
          /**
           * @description The egress policy of a run whose spec sets no network.policy: "open" (the network as any container has it) or "strict" (only granted hosts and network.allow, through the egress proxy)
           * @enum {string}
           */
          defaultEgressPolicy?: "open" | "strict";
          /** @description Stored logs and results (diff, bundle, artifacts) of runs that finished longer ago than this many days are removed by a scheduled clean-up; the runs' records stay (1-3650, default 30) */
          blobRetentionDays?: number;
        };
      };
    };
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            policy: {
              /**
               * @description The least role that may submit docker:host runs (the host's engine socket: root on the host)
               * @enum {string}
               */
              minRoleDockerHost: "owner" | "admin" | "member" | "viewer";
              /**
               * @description The least role that may submit docker:dind runs (a privileged container and a BuildKit sidecar; no Docker engine unless the image brings one)
               * @enum {string}
               */
              minRoleDockerDind: "owner" | "admin" | "member" | "viewer";
              /**
               * @description The least role that may submit sandbox: "none" runs (no gVisor)
               * @enum {string}
               */
              minRoleSandboxNone: "owner" | "admin" | "member" | "viewer";
              /** @description Applied to a run whose spec sets no resources.timeoutSeconds */
              defaultRunTimeoutSeconds: number;
              /** @description A submission while this many runs are queued is refused with 429 */
              maxQueuedRuns: number;
              /** @description A queued run that no host of the team could ever take (labels, gVisor, BAILEY_ALLOW, no hosts) fails after this many seconds (30 s to 7 days) */
              unplaceableTimeoutSeconds: number;
              /**
               * @description The egress policy of a run whose spec sets no network.policy: "open" (the network as any container has it) or "strict" (only granted hosts and network.allow, through the egress proxy)
               * @enum {string}
               */
              defaultEgressPolicy: "open" | "strict";
              /** @description Stored logs and results (diff, bundle, artifacts) of runs that finished longer ago than this many days are removed by a scheduled clean-up; the runs' records stay (1-3650, default 30) */
              blobRetentionDays: number;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "team-storage": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            /** @description Bytes the team's runs hold in Bailey's blob store: stored logs and results of runs retention has not removed */
            storageBytes: number;
            /** @description How many days after a run finishes its stored logs and results are kept */
            blobRetentionDays: number;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "registries-list": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            credentials: {
              id: string;
              /** @description host[:port] the credential is sent to, e.g. ghcr.io or 127.0.0.1:5051 (docker.io for Docker Hub) */
              registry: string;
              username: string;
              /** @description Who saved the current secret; null when that account is gone */
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the secret was last saved (replacing it updates this)
               */
              updatedAt: string;
              /** @description When a pull last used it */
              lastUsedAt: string | null;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "registries-save": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          registry: string;
          username: string;
          /** @description Stored encrypted; never returned, not even to admins. Sent to a host only inside a pull request over SSH. */
          password: string;
        };
      };
    };
    responses: {
      /** @description An Idempotency-Key retry: what the first request created */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            credential: {
              id: string;
              /** @description host[:port] the credential is sent to, e.g. ghcr.io or 127.0.0.1:5051 (docker.io for Docker Hub) */
              registry: string;
              username: string;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the secret was last saved (replacing it updates this)
               */
              updatedAt: string;
              /** @description When a pull last used it */
              lastUsedAt: string | null;
            };
            created: boolean;
          };
        };
      };
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            credential: {
              id: string;
              /** @description host[:port] the credential is sent to, e.g. ghcr.io or 127.0.0.1:5051 (docker.io for Docker Hub) */
              registry: string;
              username: string;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the secret was last saved (replacing it updates this)
               */
              updatedAt: string;
              /** @description When a pull last used it */
              lastUsedAt: string | null;
            };
            created: boolean;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "registries-remove": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            credential: {
              id: string;
              /** @description host[:port] the credential is sent to, e.g. ghcr.io or 127.0.0.1:5051 (docker.io for Docker Hub) */
              registry: string;
              username: string;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the secret was last saved (replacing it updates this)
               */
              updatedAt: string;
              /** @description When a pull last used it */
              lastUsedAt: string | null;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "secrets-list": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            secrets: {
              id: string;
              /** @description What runs name it by: `secrets: {ENV_NAME: name}` or `secretFiles: [name]` */
              name: string;
              description: string | null;
              /** @description Who saved the current value; null when that account is gone */
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the value or description last changed
               */
              updatedAt: string;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "secrets-create": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          name: string;
          /** @description Up to 64 KiB of UTF-8. Stored encrypted; never returned, not even to admins. Sent to a host only inside run.create over SSH. */
          value: string;
          description?: string;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            secret: {
              id: string;
              /** @description What runs name it by: `secrets: {ENV_NAME: name}` or `secretFiles: [name]` */
              name: string;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the value or description last changed
               */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "secrets-delete": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            secret: {
              id: string;
              /** @description What runs name it by: `secrets: {ENV_NAME: name}` or `secretFiles: [name]` */
              name: string;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the value or description last changed
               */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "secrets-update": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description A new value; omit to keep the stored one */
          value?: string;
          /** @description A new description; omit to keep it, null or empty to clear it */
          description?: string | null;
        };
      };
    };
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            secret: {
              id: string;
              /** @description What runs name it by: `secrets: {ENV_NAME: name}` or `secretFiles: [name]` */
              name: string;
              description: string | null;
              /** Format: date-time */
              createdAt: string;
              /**
               * Format: date-time
               * @description When the value or description last changed
               */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "grants-list": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            grants: {
              id: string;
              /** @description What runs name it by: `grants: [name]` */
              name: string;
              /** @description The team secret whose value is injected */
              secretName: string;
              hosts: string[];
              /** @description How the egress proxy puts the secret's value into requests to the hosts: {"kind":"bearer"} (Authorization: Bearer), {"kind":"header","header":"X-Api-Key"}, {"kind":"basic","username":"x-access-token"} (the value is the password) or {"kind":"query","param":"api_key"} */
              inject:
                | {
                    /** @constant */
                    kind: "bearer";
                  }
                | {
                    /** @constant */
                    kind: "header";
                    header: string;
                  }
                | {
                    /** @constant */
                    kind: "basic";
                    username: string;
                  }
                | {
                    /** @constant */
                    kind: "query";
                    param: string;
                  };
              description: string | null;
              /** @description Who created the grant; null when that account is gone */
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "grants-create": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          name: string;
          secretName: string;
          /** @description Host patterns: api.example.com (any port), *.example.com (subdomains only), 10.0.0.5 or [::1], optionally :port */
          hosts: string[];
          /** @description How the egress proxy puts the secret's value into requests to the hosts: {"kind":"bearer"} (Authorization: Bearer), {"kind":"header","header":"X-Api-Key"}, {"kind":"basic","username":"x-access-token"} (the value is the password) or {"kind":"query","param":"api_key"} */
          inject:
            | {
                /** @constant */
                kind: "bearer";
              }
            | {
                /** @constant */
                kind: "header";
                header: string;
              }
            | {
                /** @constant */
                kind: "basic";
                username: string;
              }
            | {
                /** @constant */
                kind: "query";
                param: string;
              };
          description?: string;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            grant: {
              id: string;
              /** @description What runs name it by: `grants: [name]` */
              name: string;
              /** @description The team secret whose value is injected */
              secretName: string;
              hosts: string[];
              /** @description How the egress proxy puts the secret's value into requests to the hosts: {"kind":"bearer"} (Authorization: Bearer), {"kind":"header","header":"X-Api-Key"}, {"kind":"basic","username":"x-access-token"} (the value is the password) or {"kind":"query","param":"api_key"} */
              inject:
                | {
                    /** @constant */
                    kind: "bearer";
                  }
                | {
                    /** @constant */
                    kind: "header";
                    header: string;
                  }
                | {
                    /** @constant */
                    kind: "basic";
                    username: string;
                  }
                | {
                    /** @constant */
                    kind: "query";
                    param: string;
                  };
              description: string | null;
              /** @description Who created the grant; null when that account is gone */
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "grants-delete": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            grant: {
              id: string;
              /** @description What runs name it by: `grants: [name]` */
              name: string;
              /** @description The team secret whose value is injected */
              secretName: string;
              hosts: string[];
              /** @description How the egress proxy puts the secret's value into requests to the hosts: {"kind":"bearer"} (Authorization: Bearer), {"kind":"header","header":"X-Api-Key"}, {"kind":"basic","username":"x-access-token"} (the value is the password) or {"kind":"query","param":"api_key"} */
              inject:
                | {
                    /** @constant */
                    kind: "bearer";
                  }
                | {
                    /** @constant */
                    kind: "header";
                    header: string;
                  }
                | {
                    /** @constant */
                    kind: "basic";
                    username: string;
                  }
                | {
                    /** @constant */
                    kind: "query";
                    param: string;
                  };
              description: string | null;
              /** @description Who created the grant; null when that account is gone */
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "grants-update": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description Another team secret; omit to keep it */
          secretName?: string;
          /** @description The new host list (replaces the old one); omit to keep it */
          hosts?: string[];
          /** @description How the egress proxy puts the secret's value into requests to the hosts: {"kind":"bearer"} (Authorization: Bearer), {"kind":"header","header":"X-Api-Key"}, {"kind":"basic","username":"x-access-token"} (the value is the password) or {"kind":"query","param":"api_key"} */
          inject?:
            | {
                /** @constant */
                kind: "bearer";
              }
            | {
                /** @constant */
                kind: "header";
                header: string;
              }
            | {
                /** @constant */
                kind: "basic";
                username: string;
              }
            | {
                /** @constant */
                kind: "query";
                param: string;
              };
          /** @description A new description; omit to keep it, null or empty to clear it */
          description?: string | null;
        };
      };
    };
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            grant: {
              id: string;
              /** @description What runs name it by: `grants: [name]` */
              name: string;
              /** @description The team secret whose value is injected */
              secretName: string;
              hosts: string[];
              /** @description How the egress proxy puts the secret's value into requests to the hosts: {"kind":"bearer"} (Authorization: Bearer), {"kind":"header","header":"X-Api-Key"}, {"kind":"basic","username":"x-access-token"} (the value is the password) or {"kind":"query","param":"api_key"} */
              inject:
                | {
                    /** @constant */
                    kind: "bearer";
                  }
                | {
                    /** @constant */
                    kind: "header";
                    header: string;
                  }
                | {
                    /** @constant */
                    kind: "basic";
                    username: string;
                  }
                | {
                    /** @constant */
                    kind: "query";
                    param: string;
                  };
              description: string | null;
              /** @description Who created the grant; null when that account is gone */
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "buildContexts-list": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            buildContexts: {
              id: string;
              /** @description The SHA-256 of the tar's bytes: name it in a run's build.context */
              sha256: string;
              sizeBytes: number;
              /** Format: date-time */
              createdAt: string;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "build-contexts.upload": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/x-tar": string;
        "application/gzip": string;
        "application/x-gzip": string;
      };
    };
    responses: {
      /** @description The same bytes were uploaded before: that context */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            buildContext: {
              id: string;
              /** @description The SHA-256 of the tar's bytes: name it in a run's build.context */
              sha256: string;
              sizeBytes: number;
              /** Format: date-time */
              createdAt: string;
            };
            created: boolean;
          };
        };
      };
      /** @description Stored */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            buildContext: {
              id: string;
              /** @description The SHA-256 of the tar's bytes: name it in a run's build.context */
              sha256: string;
              sizeBytes: number;
              /** Format: date-time */
              createdAt: string;
            };
            created: boolean;
          };
        };
      };
      /** @description Not a tar or gzip, an empty body, or another Content-Type */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description No token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The token lacks the scope, or the caller is a viewer */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 33554432 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-list": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            endpoints: {
              id: string;
              url: string;
              description: string | null;
              events: string[];
              /** @description A disabled endpoint gets no new events; its queued deliveries wait until it is enabled */
              enabled: boolean;
              createdById: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-create": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description https:// to any host; plain http:// only to loopback or private addresses (e.g. http://127.0.0.1:8080/hook) */
          url: string;
          /** @description The event types the endpoint receives: run.succeeded, run.failed, run.timed_out, run.cancelled, run.lost, host.offline, host.online; ["*"] for every type, including ones added later */
          events: ("run.succeeded" | "run.failed" | "run.timed_out" | "run.cancelled" | "run.lost" | "host.offline" | "host.online" | "*")[];
          description?: string;
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            endpoint: {
              id: string;
              url: string;
              description: string | null;
              events: string[];
              /** @description A disabled endpoint gets no new events; its queued deliveries wait until it is enabled */
              enabled: boolean;
              createdById: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
            /** @description The whsec_… signing secret, shown this once: keep it where the receiver verifies webhook-signature */
            secret: string;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-get": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            endpoint: {
              id: string;
              url: string;
              description: string | null;
              events: string[];
              /** @description A disabled endpoint gets no new events; its queued deliveries wait until it is enabled */
              enabled: boolean;
              createdById: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-delete": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            endpoint: {
              id: string;
              url: string;
              description: string | null;
              events: string[];
              /** @description A disabled endpoint gets no new events; its queued deliveries wait until it is enabled */
              enabled: boolean;
              createdById: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-update": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description A new URL; omit to keep it */
          url?: string;
          /** @description The new subscription (replaces the old one); omit to keep it */
          events?: ("run.succeeded" | "run.failed" | "run.timed_out" | "run.cancelled" | "run.lost" | "host.offline" | "host.online" | "*")[];
          /** @description A new description; omit to keep it, null or empty to clear it */
          description?: string | null;
          /** @description false pauses deliveries to the endpoint; true resumes them */
          enabled?: boolean;
        };
      };
    };
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            endpoint: {
              id: string;
              url: string;
              description: string | null;
              events: string[];
              /** @description A disabled endpoint gets no new events; its queued deliveries wait until it is enabled */
              enabled: boolean;
              createdById: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-rotateSecret": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            endpoint: {
              id: string;
              url: string;
              description: string | null;
              events: string[];
              /** @description A disabled endpoint gets no new events; its queued deliveries wait until it is enabled */
              enabled: boolean;
              createdById: string | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
            /** @description The whsec_… signing secret, shown this once: keep it where the receiver verifies webhook-signature */
            secret: string;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-deliveries": {
    parameters: {
      query?: {
        limit?: number;
        before?: string;
        cursor?: string | null;
        direction?: "forward" | "backward";
      };
      header?: never;
      path: {
        /** @description The endpoint */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            deliveries: {
              id: string;
              /** @description The event id, sent as webhook-id: receivers drop repeats by it */
              eventId: string;
              endpointId: string;
              eventType: string;
              /** Format: date-time */
              eventCreatedAt: string;
              /**
               * @description pending: waiting for its next attempt; succeeded: a 2xx came back; failed: every automatic attempt failed (Redeliver still can)
               * @enum {string}
               */
              state: "pending" | "succeeded" | "failed";
              /** @description Automatic attempts so far */
              attempts: number;
              /**
               * Format: date-time
               * @description When a pending delivery is tried next
               */
              nextAttemptAt: string;
              lastStatusCode: number | null;
              lastError: string | null;
              lastAttemptAt: string | null;
              succeededAt: string | null;
              /** Format: date-time */
              createdAt: string;
              attemptLog: {
                id: string;
                /** @description 1 for the first request of the delivery, then 2, 3, … */
                attempt: number;
                /** @description Sent by a Redeliver, not by the automatic sender */
                manual: boolean;
                /** Format: date-time */
                startedAt: string;
                durationMs: number | null;
                /** @description The receiver's HTTP status; null when no answer came (see error) */
                statusCode: number | null;
                error: string | null;
                /** @description The answer's first KiB */
                responseSnippet: string | null;
              }[];
            }[];
            /** @description Pass as before for the next (older) page; null on the last page */
            nextBefore: string | null;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-redeliver": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            attempt: {
              id: string;
              /** @description 1 for the first request of the delivery, then 2, 3, … */
              attempt: number;
              /** @description Sent by a Redeliver, not by the automatic sender */
              manual: boolean;
              /** Format: date-time */
              startedAt: string;
              durationMs: number | null;
              /** @description The receiver's HTTP status; null when no answer came (see error) */
              statusCode: number | null;
              error: string | null;
              /** @description The answer's first KiB */
              responseSnippet: string | null;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "webhooks-sendTest": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            /** @description The queued webhook.test event; it appears in the endpoint's deliveries */
            eventId: string;
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "overview-get": {
    parameters: {
      query?: {
        hours?: number;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            hours: number;
            /**
             * Format: date-time
             * @description The start of the first hour
             */
            from: string;
            /**
             * Format: date-time
             * @description When the overview was taken: the end of the last, partial hour
             */
            to: string;
            totals: {
              runs: number;
              /** @description failed, timed_out or lost */
              failed: number;
              succeeded: number;
              queuedNow: number;
            };
            /** @description Runs created in each hour, by the state they ended in (unfinished: not over yet) */
            runsPerHour: {
              /** Format: date-time */
              hour: string;
              total: number;
              succeeded: number;
              failed: number;
              timed_out: number;
              lost: number;
              cancelled: number;
              unfinished: number;
            }[];
            /** @description Runs created and neither started nor ended, at the end of each hour */
            queueDepth: {
              /** Format: date-time */
              at: string;
              queued: number;
            }[];
            startLatency: {
              /** @description createdAt → startedAt of the runs created in each hour that started */
              hours: {
                /** Format: date-time */
                hour: string;
                started: number;
                p50Ms: number | null;
                p90Ms: number | null;
              }[];
              overall: {
                started: number;
                p50Ms: number | null;
                p90Ms: number | null;
              };
            };
            /** @description Runs created in the window per host; hostId null: runs no host took */
            failuresByHost: {
              hostId: string | null;
              hostName: string | null;
              failed: number;
              total: number;
            }[];
            /** @description Each host's load now and per hour */
            hosts: {
              hostId: string;
              name: string;
              status: string;
              capacity: number;
              active: number;
              /** @description active / capacity now */
              utilisation: number;
              /** @description Mean active / capacity per hour, null where the host sent no sample */
              hourly: (number | null)[];
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "pools-list": {
    parameters: {
      query?: {
        hostId?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            pools: {
              id: string;
              hostId: string;
              hostName: string;
              image: string;
              /**
               * @description The sandbox its containers run under, as a run's spec says it; a run must ask for the same to claim one
               * @enum {string}
               */
              sandbox: "gvisor" | "none";
              resources: {
                cpus?: number;
                memoryBytes?: number;
                pids?: number;
              };
              size: number;
              idleCommand: string[];
              /** @description The host's last report for this pool; null until its agent has reported it (or when its agent has no pools) */
              status: {
                /** @description Containers started and waiting for a run */
                idle: number;
                /** @description Containers being created or started (refilling) */
                starting: number;
                /** @description Runs that took a container since the agent started */
                claimedTotal: number;
                /** @description Why the pool last failed to fill; null once it fills */
                lastError: string | null;
                imageDigest: string | null;
              } | null;
              statusAt: string | null;
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            }[];
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "pools-create": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          /** @description The team's host the pool is on */
          hostId: string;
          /** @description The image reference, exactly as runs name it */
          image: string;
          /**
           * @description The sandbox its containers run under, as a run's spec says it; a run must ask for the same to claim one
           * @default gvisor
           * @enum {string}
           */
          sandbox?: "gvisor" | "none";
          /** @description The run spec's resources without timeoutSeconds (each run's own timeout applies): a run must ask for exactly these to claim a container */
          resources?: {
            cpus?: number;
            memoryBytes?: number;
            pids?: number;
          };
          /** @description How many started, idle containers the host keeps ready */
          size: number;
          /** @description What idle containers run until claimed (a claimed run's command is then exec'd beside it); empty or absent: Bailey's launcher, the image's /bin/sh waiting for the run's command on its stdin (no exec: the fastest start; needs /bin/sh in the image) */
          idleCommand?: string[];
        };
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            pool: {
              id: string;
              hostId: string;
              hostName: string;
              image: string;
              /**
               * @description The sandbox its containers run under, as a run's spec says it; a run must ask for the same to claim one
               * @enum {string}
               */
              sandbox: "gvisor" | "none";
              resources: {
                cpus?: number;
                memoryBytes?: number;
                pids?: number;
              };
              size: number;
              idleCommand: string[];
              /** @description The host's last report for this pool; null until its agent has reported it (or when its agent has no pools) */
              status: {
                /** @description Containers started and waiting for a run */
                idle: number;
                /** @description Containers being created or started (refilling) */
                starting: number;
                /** @description Runs that took a container since the agent started */
                claimedTotal: number;
                /** @description Why the pool last failed to fill; null once it fills */
                lastError: string | null;
                imageDigest: string | null;
              } | null;
              statusAt: string | null;
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "pools-delete": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            pool: {
              id: string;
              hostId: string;
              hostName: string;
              image: string;
              /**
               * @description The sandbox its containers run under, as a run's spec says it; a run must ask for the same to claim one
               * @enum {string}
               */
              sandbox: "gvisor" | "none";
              resources: {
                cpus?: number;
                memoryBytes?: number;
                pids?: number;
              };
              size: number;
              idleCommand: string[];
              /** @description The host's last report for this pool; null until its agent has reported it (or when its agent has no pools) */
              status: {
                /** @description Containers started and waiting for a run */
                idle: number;
                /** @description Containers being created or started (refilling) */
                starting: number;
                /** @description Runs that took a container since the agent started */
                claimedTotal: number;
                /** @description Why the pool last failed to fill; null once it fills */
                lastError: string | null;
                imageDigest: string | null;
              } | null;
              statusAt: string | null;
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "pools-update": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        "application/json": {
          image?: string;
          /**
           * @description The sandbox its containers run under, as a run's spec says it; a run must ask for the same to claim one
           * @enum {string}
           */
          sandbox?: "gvisor" | "none";
          /** @description The run spec's resources without timeoutSeconds (each run's own timeout applies): a run must ask for exactly these to claim a container */
          resources?: {
            cpus?: number;
            memoryBytes?: number;
            pids?: number;
          };
          /** @description How many started, idle containers the host keeps ready */
          size?: number;
          /** @description Omit to keep it; null or [] for the default */
          idleCommand?: string[] | null;
        };
      };
    };
    responses: {
      /** @description Successful response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": {
            pool: {
              id: string;
              hostId: string;
              hostName: string;
              image: string;
              /**
               * @description The sandbox its containers run under, as a run's spec says it; a run must ask for the same to claim one
               * @enum {string}
               */
              sandbox: "gvisor" | "none";
              resources: {
                cpus?: number;
                memoryBytes?: number;
                pids?: number;
              };
              size: number;
              idleCommand: string[];
              /** @description The host's last report for this pool; null until its agent has reported it (or when its agent has no pools) */
              status: {
                /** @description Containers started and waiting for a run */
                idle: number;
                /** @description Containers being created or started (refilling) */
                starting: number;
                /** @description Runs that took a container since the agent started */
                claimedTotal: number;
                /** @description Why the pool last failed to fill; null once it fills */
                lastError: string | null;
                imageDigest: string | null;
              } | null;
              statusAt: string | null;
              createdBy: {
                id: string;
                email: string;
                name: string | null;
              } | null;
              /** Format: date-time */
              createdAt: string;
              /** Format: date-time */
              updatedAt: string;
            };
          };
        };
      };
      /** @description Invalid input data */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Authorization not provided */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Insufficient access */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Internal server error */
      500: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs.id.logs": {
    parameters: {
      query?: {
        /** @description Stream until the run ends. */
        follow?: boolean;
      };
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Streamed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "text/plain": string;
        };
      };
      /** @description No token or session */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The token lacks the scope */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found in the caller's team */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs.id.diff": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Streamed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "text/x-diff": string;
        };
      };
      /** @description No token or session */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The token lacks the scope */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found in the caller's team */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs.id.bundle": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Streamed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/x-git-bundle": string;
        };
      };
      /** @description No token or session */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The token lacks the scope */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found in the caller's team */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs.id.artifacts.name": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
        /** @description The artifact's path relative to the workdir, as GET /runs/{id}/artifacts lists it; it may contain '/' */
        name: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Streamed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/octet-stream": string;
        };
      };
      /** @description No token or session */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The token lacks the scope */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found in the caller's team */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "audit.export": {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Streamed */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/x-ndjson": string;
        };
      };
      /** @description No token or session */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The token lacks the scope */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found in the caller's team */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
  "runs.id.exec": {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Switched to a WebSocket speaking Bailey's exec protocol (packages/protocol/src/exec-socket.ts) */
      101: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description No token or session */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The token lacks the scope */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Not found in the caller's team */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The run is not running */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description The body is larger than 1048576 bytes */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description Sent without an upgrade: the caller may exec, over a WebSocket */
      426: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
      /** @description A host or the database cannot be reached right now; retry after Retry-After seconds */
      503: {
        headers: {
          "Retry-After"?: number;
          [name: string]: unknown;
        };
        content: {
          "application/json": components["schemas"]["Error"];
        };
      };
    };
  };
}
