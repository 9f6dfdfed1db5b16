// Generated from schema/config.ts by `node --import tsx dsl/compiler/write-config-types.ts`; do not edit.
// It is z.input<typeof nodepoolConfigSchema> resolved, so configs type-check fast; a test fails when it is stale.
export type NodepoolConfigInput = {
    "elements-dir"?: string | undefined;
    "images-dir"?: string | undefined;
    "build-log-dir"?: string | undefined;
    "build-log-retention"?: number | undefined;
    "max-hold-age"?: number | undefined;
    webapp?: {
        port?: number | undefined;
        listen_address?: string | undefined;
    } | undefined;
    "zookeeper-servers"?: {
        host: string;
        port?: number | undefined;
        chroot?: string | undefined;
    }[] | undefined;
    labels?: {
        name: string;
        "min-ready"?: number | undefined;
        "max-ready-age"?: number | undefined;
    }[] | undefined;
    providers?: ({
        cloud: string;
        name: string;
        "region-name"?: string | undefined;
        "boot-timeout"?: number | undefined;
        "launch-timeout"?: number | undefined;
        "launch-retries"?: number | undefined;
        rate?: string | number | undefined;
        "hostname-format"?: string | undefined;
        "image-name-format"?: string | undefined;
        "clean-floating-ips"?: boolean | undefined;
        "nodepool-id"?: string | undefined;
        diskimages?: {
            name: string;
            "connection-type"?: string | undefined;
            "connection-port"?: number | undefined;
            pause?: boolean | undefined;
            "config-drive"?: boolean | undefined;
            meta?: Record<string, unknown> | undefined;
        }[] | undefined;
        "cloud-images"?: {
            name: string;
            "connection-type"?: string | undefined;
            "connection-port"?: number | undefined;
            "image-id"?: string | undefined;
            "image-name"?: string | undefined;
            "config-drive"?: boolean | undefined;
            username?: string | undefined;
        }[] | undefined;
        pools?: {
            name: string;
            "max-cores"?: number | undefined;
            "max-ram"?: number | undefined;
            "ignore-provider-quota"?: boolean | undefined;
            "availability-zones"?: string[] | undefined;
            networks?: string[] | undefined;
            "security-groups"?: string[] | undefined;
            "auto-floating-ip"?: boolean | undefined;
            "host-key-checking"?: boolean | undefined;
            labels?: {
                name: string;
                diskimage?: string | undefined;
                "cloud-image"?: string | undefined;
                "min-ram"?: number | undefined;
                "flavor-name"?: string | undefined;
                "key-name"?: string | undefined;
                "console-log"?: boolean | undefined;
                "boot-from-volume"?: boolean | undefined;
                "volume-size"?: number | undefined;
                "instance-properties"?: Record<string, unknown> | undefined;
                userdata?: string | undefined;
            }[] | undefined;
            "max-servers"?: number | undefined;
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        driver?: "openstack" | undefined;
        "max-concurrency"?: number | undefined;
    } | {
        cloud: string;
        name: string;
        driver: "fake";
        "fake-cloud"?: {
            "max-instances"?: number | undefined;
            "max-cores"?: number | undefined;
            "max-ram"?: number | undefined;
            "boot-delay"?: number | undefined;
            "launch-failure-rate"?: number | undefined;
        } | undefined;
        "region-name"?: string | undefined;
        "boot-timeout"?: number | undefined;
        "launch-timeout"?: number | undefined;
        "launch-retries"?: number | undefined;
        rate?: string | number | undefined;
        "hostname-format"?: string | undefined;
        "image-name-format"?: string | undefined;
        "clean-floating-ips"?: boolean | undefined;
        "nodepool-id"?: string | undefined;
        diskimages?: {
            name: string;
            "connection-type"?: string | undefined;
            "connection-port"?: number | undefined;
            pause?: boolean | undefined;
            "config-drive"?: boolean | undefined;
            meta?: Record<string, unknown> | undefined;
        }[] | undefined;
        "cloud-images"?: {
            name: string;
            "connection-type"?: string | undefined;
            "connection-port"?: number | undefined;
            "image-id"?: string | undefined;
            "image-name"?: string | undefined;
            "config-drive"?: boolean | undefined;
            username?: string | undefined;
        }[] | undefined;
        pools?: {
            name: string;
            "max-cores"?: number | undefined;
            "max-ram"?: number | undefined;
            "ignore-provider-quota"?: boolean | undefined;
            "availability-zones"?: string[] | undefined;
            networks?: string[] | undefined;
            "security-groups"?: string[] | undefined;
            "auto-floating-ip"?: boolean | undefined;
            "host-key-checking"?: boolean | undefined;
            labels?: {
                name: string;
                diskimage?: string | undefined;
                "cloud-image"?: string | undefined;
                "min-ram"?: number | undefined;
                "flavor-name"?: string | undefined;
                "key-name"?: string | undefined;
                "console-log"?: boolean | undefined;
                "boot-from-volume"?: boolean | undefined;
                "volume-size"?: number | undefined;
                "instance-properties"?: Record<string, unknown> | undefined;
                userdata?: string | undefined;
            }[] | undefined;
            "max-servers"?: number | undefined;
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        "max-concurrency"?: number | undefined;
    } | {
        name: string;
        driver: "static";
        pools?: {
            name: string;
            nodes?: {
                name: string;
                labels: string | string[];
                username?: string | undefined;
                timeout?: number | undefined;
                "host-key"?: string | string[] | undefined;
                "connection-type"?: string | undefined;
                "connection-port"?: number | undefined;
                "max-parallel-jobs"?: number | undefined;
            }[] | undefined;
            "max-servers"?: number | undefined;
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        "max-concurrency"?: number | undefined;
    } | {
        context: string;
        pools: {
            labels: {
                name: string;
                type: string;
                image?: string | undefined;
                "image-pull"?: string | undefined;
            }[];
            name: string;
            "max-servers"?: number | undefined;
            "node-attributes"?: Record<string, unknown> | undefined;
        }[];
        name: string;
        driver: "kubernetes";
        "launch-retries"?: number | undefined;
        "max-concurrency"?: number | undefined;
    } | {
        context: string;
        pools: {
            name: string;
            labels: {
                name: string;
                type: string;
                image?: string | undefined;
                "image-pull"?: string | undefined;
                cpu?: number | undefined;
                memory?: number | undefined;
            }[];
        }[];
        name: string;
        driver: "openshift";
        "launch-retries"?: number | undefined;
        "max-projects"?: number | undefined;
        "max-concurrency"?: number | undefined;
    } | {
        "region-name": string;
        pools: {
            labels: {
                name: string;
                "instance-type": string;
                "key-name": string;
                "cloud-image"?: string | undefined;
                "volume-type"?: string | undefined;
                "volume-size"?: number | undefined;
            }[];
            name: string;
            "subnet-id"?: string | undefined;
            "security-group-id"?: string | undefined;
            "max-servers"?: number | undefined;
            "node-attributes"?: Record<string, unknown> | undefined;
        }[];
        name: string;
        driver: "aws";
        "profile-name"?: string | undefined;
        "boot-timeout"?: number | undefined;
        "launch-retries"?: number | undefined;
        "hostname-format"?: string | undefined;
        "cloud-images"?: {
            name: string;
            "connection-type"?: string | undefined;
            "connection-port"?: number | undefined;
            "image-id"?: string | undefined;
            username?: string | undefined;
        }[] | undefined;
        "max-concurrency"?: number | undefined;
    } | {
        name: string;
        driver: "test";
        pools?: {
            name: string;
            labels?: string[] | undefined;
            "max-servers"?: number | undefined;
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        "max-concurrency"?: number | undefined;
    })[] | undefined;
    diskimages?: {
        name: string;
        elements?: string[] | undefined;
        release?: string | number | undefined;
        formats?: string[] | undefined;
        "env-vars"?: Record<string, string> | undefined;
        pause?: boolean | undefined;
        "rebuild-age"?: number | undefined;
        username?: string | undefined;
        "build-timeout"?: number | undefined;
        parent?: string | undefined;
        abstract?: boolean | undefined;
        "python-path"?: string | undefined;
        "shell-type"?: string | undefined;
        "dib-cmd"?: string | undefined;
        "build-checksum"?: boolean | undefined;
        "block-device-mapping"?: unknown;
    }[] | undefined;
    "tenant-resource-limits"?: {
        [x: string]: number | string | undefined;
        "tenant-name": string;
        "max-servers"?: number | undefined;
        "max-cores"?: number | undefined;
        "max-ram"?: number | undefined;
    }[] | undefined;
};
