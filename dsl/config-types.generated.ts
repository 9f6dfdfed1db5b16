// Generated from schema/config.ts by `node --import tsx dsl/compiler/write-config-types.ts`; do not edit.
// It is z.input<typeof nodepoolConfigSchema> resolved, so configs type-check fast; a test fails when it is stale.
// NodepoolConfigOf's parameters are the names a config defines; references must use one of them.
export type NodepoolConfigOf<LabelName extends string = string, DiskimageName extends string = string, CloudImageName extends string = string> = {
    /** Directory of diskimage-builder elements (exported as ELEMENTS_PATH). */
    "elements-dir"?: string | undefined;
    /** Where the builder writes images; the builder needs it. */
    "images-dir"?: string | undefined;
    /** One log file per image build. Default: `"/var/log/nodepool/builds"`. */
    "build-log-dir"?: string | undefined;
    /** Old build logs kept per image. Default: `7`. */
    "build-log-retention"?: number | undefined;
    /** Most seconds a node may stay held; 0 or negative = unlimited. Default: `0`. */
    "max-hold-age"?: number | undefined;
    /** Launcher status web server. Default: `{"port":8005,"listen_address":"0.0.0.0"}`. */
    webapp?: {
        /** TCP port of the launcher's status web server. Default: `8005`. */
        port?: number | undefined;
        /** Address the web server binds to. Default: `"0.0.0.0"`. */
        listen_address?: string | undefined;
    } | undefined;
    /** The ZooKeeper ensemble (may come from the secure file). Default: `[]`. */
    "zookeeper-servers"?: {
        /** Host name or IP of one ZooKeeper server. */
        host: string;
        /** Client port. Default: `2181`. */
        port?: number | undefined;
        /** Path prefix under which all Nodepool data lives, e.g. /nodepool. */
        chroot?: string | undefined;
    }[] | undefined;
    /** Node types that can be requested. Default: `[]`. */
    labels?: {
        /** Label name used in node requests; pools refer to it. */
        name: LabelName;
        /** Unassigned ready nodes of this label to keep at all times; 0 or less: only on demand. Default: `0`. */
        "min-ready"?: number | undefined;
        /** Seconds a node may stay ready before it is deleted; 0 or negative disables. Default: `0`. */
        "max-ready-age"?: number | undefined;
    }[] | undefined;
    /** Clouds, clusters and static hosts that supply nodes. Default: `[]`. */
    providers?: ({
        /** Cloud name in the OpenStack client configuration (clouds.yaml). */
        cloud: string;
        /** Provider name, unique; nodes, uploads and ZooKeeper records refer to it. */
        name: string;
        /** Region inside the cloud. */
        "region-name"?: string | undefined;
        /** Seconds to keep trying to reach an ACTIVE server. Default: `60`. */
        "boot-timeout"?: number | undefined;
        /** Seconds to wait from create until the server is ACTIVE. Default: `3600`. */
        "launch-timeout"?: number | undefined;
        /** Attempts per node. Default: `3`. */
        "launch-retries"?: number | undefined;
        /** Minimum seconds between API calls; 0 = no limit. Default: `1`. */
        rate?: string | number | undefined;
        /** Server name template (label, provider, node). Default: `"{label.name}-{provider.name}-{node.id}"`. */
        "hostname-format"?: string | undefined;
        /** Uploaded image name template (image_name, timestamp). Default: `"{image_name}-{timestamp}"`. */
        "image-name-format"?: string | undefined;
        /** Delete floating IPs attached to nothing. Default: `false`. */
        "clean-floating-ips"?: boolean | undefined;
        /** Deprecated and ignored. */
        "nodepool-id"?: string | undefined;
        /** Top-level diskimages uploaded here. Default: `[]`. */
        diskimages?: {
            /** A top-level diskimage to upload to this provider. */
            name: NoInfer<DiskimageName>;
            /** How consumers reach the node: ssh, winrm, network_cli. Default: `"ssh"`. */
            "connection-type"?: string | undefined;
            /** Port consumers use; default 22, or 5986 for winrm. */
            "connection-port"?: number | undefined;
            /** When true, no new builds of this image are uploaded here. Default: `false`. */
            pause?: boolean | undefined;
            /** Whether servers booted from this image get a config drive. */
            "config-drive"?: boolean | undefined;
            /** Image properties set on upload; at most 5 string entries of 255 characters. Default: `{}`. */
            meta?: Record<string, unknown> | undefined;
        }[] | undefined;
        /** Images that already exist in the cloud. Default: `[]`. */
        "cloud-images"?: {
            /** Identifier pool labels use; also the cloud image name-or-ID without image-id/image-name. */
            name: CloudImageName;
            /** How consumers reach the node: ssh, winrm, network_cli. Default: `"ssh"`. */
            "connection-type"?: string | undefined;
            /** Port consumers use; default 22, or 5986 for winrm. */
            "connection-port"?: number | undefined;
            /** Select the cloud image by ID (exclusive with image-name). */
            "image-id"?: string | undefined;
            /** Select the cloud image by name (exclusive with image-id). */
            "image-name"?: string | undefined;
            /** Whether servers booted from this image get a config drive. */
            "config-drive"?: boolean | undefined;
            /** Login user recorded on nodes booted from this image. */
            username?: string | undefined;
        }[] | undefined;
        /** Default: `[]`. */
        pools?: {
            /** Pool name, unique within its provider. */
            name: string;
            /** Most vCPUs this pool may use; unset = unlimited. */
            "max-cores"?: number | undefined;
            /** Most RAM (MiB) this pool may use; unset = unlimited. */
            "max-ram"?: number | undefined;
            /** Ignore the cloud's own quota. Default: `false`. */
            "ignore-provider-quota"?: boolean | undefined;
            /** Zones to choose from; unset = every zone the cloud reports. */
            "availability-zones"?: string[] | undefined;
            /** Network names or IDs attached to every server. Default: `[]`. */
            networks?: string[] | undefined;
            /** Security group names or IDs attached to every server. Default: `[]`. */
            "security-groups"?: string[] | undefined;
            /** Give servers a floating IP when needed. Default: `true`. */
            "auto-floating-ip"?: boolean | undefined;
            /** Scan host keys after boot. Default: `true`. */
            "host-key-checking"?: boolean | undefined;
            /** Node types this pool can launch. Default: `[]`. */
            labels?: {
                /** A top-level label this pool can launch. */
                name: NoInfer<LabelName>;
                /** Top-level diskimage to boot from (exclusive with cloud-image). */
                diskimage?: NoInfer<DiskimageName> | undefined;
                /** A cloud-images name of this provider (exclusive with diskimage). */
                "cloud-image"?: NoInfer<CloudImageName> | undefined;
                /** Smallest flavor with at least this much RAM (MiB). */
                "min-ram"?: number | undefined;
                /** Flavor name (exact without min-ram, substring with it). */
                "flavor-name"?: string | undefined;
                /** Keypair injected into servers. */
                "key-name"?: string | undefined;
                /** Log the server console when the key scan times out. Default: `false`. */
                "console-log"?: boolean | undefined;
                /** Boot from a volume created from the image. Default: `false`. */
                "boot-from-volume"?: boolean | undefined;
                /** Size (GB) of the boot volume. Default: `50`. */
                "volume-size"?: number | undefined;
                /** Metadata set on the server at boot. */
                "instance-properties"?: Record<string, unknown> | undefined;
                /** User-data for the server, e.g. a cloud-init document. */
                userdata?: string | undefined;
            }[] | undefined;
            /** Most nodes this pool may have at once; unset = unlimited, 0 or negative disables the pool. */
            "max-servers"?: number | undefined;
            /** Key/value data copied into every node record this pool creates. */
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        /** The driver; openstack when absent. Default: `"openstack"`. */
        driver?: "openstack" | undefined;
        /** Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests. Default: `-1`. */
        "max-concurrency"?: number | undefined;
    } | {
        /** Cloud name in the OpenStack client configuration (clouds.yaml). */
        cloud: string;
        /** Provider name, unique; nodes, uploads and ZooKeeper records refer to it. */
        name: string;
        /** The simulated OpenStack cloud used by tests. */
        driver: "fake";
        /** Settings of the simulated cloud. */
        "fake-cloud"?: {
            /** Instance limit of the simulated cloud; -1 = unlimited. Default: `20`. */
            "max-instances"?: number | undefined;
            /** Core limit of the simulated cloud; -1 = unlimited. Default: `100`. */
            "max-cores"?: number | undefined;
            /** RAM limit (MB) of the simulated cloud; -1 = unlimited. Default: `1000000`. */
            "max-ram"?: number | undefined;
            /** Seconds a server stays in BUILD before ACTIVE. Default: `0.1`. */
            "boot-delay"?: number | undefined;
            /** Fraction of server creations that fail. Default: `0`. */
            "launch-failure-rate"?: number | undefined;
        } | undefined;
        /** Region inside the cloud. */
        "region-name"?: string | undefined;
        /** Seconds to keep trying to reach an ACTIVE server. Default: `60`. */
        "boot-timeout"?: number | undefined;
        /** Seconds to wait from create until the server is ACTIVE. Default: `3600`. */
        "launch-timeout"?: number | undefined;
        /** Attempts per node. Default: `3`. */
        "launch-retries"?: number | undefined;
        /** Minimum seconds between API calls; 0 = no limit. Default: `1`. */
        rate?: string | number | undefined;
        /** Server name template (label, provider, node). Default: `"{label.name}-{provider.name}-{node.id}"`. */
        "hostname-format"?: string | undefined;
        /** Uploaded image name template (image_name, timestamp). Default: `"{image_name}-{timestamp}"`. */
        "image-name-format"?: string | undefined;
        /** Delete floating IPs attached to nothing. Default: `false`. */
        "clean-floating-ips"?: boolean | undefined;
        /** Deprecated and ignored. */
        "nodepool-id"?: string | undefined;
        /** Top-level diskimages uploaded here. Default: `[]`. */
        diskimages?: {
            /** A top-level diskimage to upload to this provider. */
            name: NoInfer<DiskimageName>;
            /** How consumers reach the node: ssh, winrm, network_cli. Default: `"ssh"`. */
            "connection-type"?: string | undefined;
            /** Port consumers use; default 22, or 5986 for winrm. */
            "connection-port"?: number | undefined;
            /** When true, no new builds of this image are uploaded here. Default: `false`. */
            pause?: boolean | undefined;
            /** Whether servers booted from this image get a config drive. */
            "config-drive"?: boolean | undefined;
            /** Image properties set on upload; at most 5 string entries of 255 characters. Default: `{}`. */
            meta?: Record<string, unknown> | undefined;
        }[] | undefined;
        /** Images that already exist in the cloud. Default: `[]`. */
        "cloud-images"?: {
            /** Identifier pool labels use; also the cloud image name-or-ID without image-id/image-name. */
            name: CloudImageName;
            /** How consumers reach the node: ssh, winrm, network_cli. Default: `"ssh"`. */
            "connection-type"?: string | undefined;
            /** Port consumers use; default 22, or 5986 for winrm. */
            "connection-port"?: number | undefined;
            /** Select the cloud image by ID (exclusive with image-name). */
            "image-id"?: string | undefined;
            /** Select the cloud image by name (exclusive with image-id). */
            "image-name"?: string | undefined;
            /** Whether servers booted from this image get a config drive. */
            "config-drive"?: boolean | undefined;
            /** Login user recorded on nodes booted from this image. */
            username?: string | undefined;
        }[] | undefined;
        /** Default: `[]`. */
        pools?: {
            /** Pool name, unique within its provider. */
            name: string;
            /** Most vCPUs this pool may use; unset = unlimited. */
            "max-cores"?: number | undefined;
            /** Most RAM (MiB) this pool may use; unset = unlimited. */
            "max-ram"?: number | undefined;
            /** Ignore the cloud's own quota. Default: `false`. */
            "ignore-provider-quota"?: boolean | undefined;
            /** Zones to choose from; unset = every zone the cloud reports. */
            "availability-zones"?: string[] | undefined;
            /** Network names or IDs attached to every server. Default: `[]`. */
            networks?: string[] | undefined;
            /** Security group names or IDs attached to every server. Default: `[]`. */
            "security-groups"?: string[] | undefined;
            /** Give servers a floating IP when needed. Default: `true`. */
            "auto-floating-ip"?: boolean | undefined;
            /** Scan host keys after boot. Default: `true`. */
            "host-key-checking"?: boolean | undefined;
            /** Node types this pool can launch. Default: `[]`. */
            labels?: {
                /** A top-level label this pool can launch. */
                name: NoInfer<LabelName>;
                /** Top-level diskimage to boot from (exclusive with cloud-image). */
                diskimage?: NoInfer<DiskimageName> | undefined;
                /** A cloud-images name of this provider (exclusive with diskimage). */
                "cloud-image"?: NoInfer<CloudImageName> | undefined;
                /** Smallest flavor with at least this much RAM (MiB). */
                "min-ram"?: number | undefined;
                /** Flavor name (exact without min-ram, substring with it). */
                "flavor-name"?: string | undefined;
                /** Keypair injected into servers. */
                "key-name"?: string | undefined;
                /** Log the server console when the key scan times out. Default: `false`. */
                "console-log"?: boolean | undefined;
                /** Boot from a volume created from the image. Default: `false`. */
                "boot-from-volume"?: boolean | undefined;
                /** Size (GB) of the boot volume. Default: `50`. */
                "volume-size"?: number | undefined;
                /** Metadata set on the server at boot. */
                "instance-properties"?: Record<string, unknown> | undefined;
                /** User-data for the server, e.g. a cloud-init document. */
                userdata?: string | undefined;
            }[] | undefined;
            /** Most nodes this pool may have at once; unset = unlimited, 0 or negative disables the pool. */
            "max-servers"?: number | undefined;
            /** Key/value data copied into every node record this pool creates. */
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        /** Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests. Default: `-1`. */
        "max-concurrency"?: number | undefined;
    } | {
        /** Provider name, unique; nodes, uploads and ZooKeeper records refer to it. */
        name: string;
        driver: "static";
        /** Default: `[]`. */
        pools?: {
            /** Pool name, unique within its provider. */
            name: string;
            /** The hosts. Default: `[]`. */
            nodes?: {
                /** Host name or IP; unique across the whole configuration. */
                name: string;
                /** Top-level labels this host offers (a list; a string is one label). */
                labels: NoInfer<LabelName> | NoInfer<LabelName>[];
                /** Login user recorded on the node. Default: `"zuul"`. */
                username?: string | undefined;
                /** Seconds to wait when checking that the host is up. Default: `5`. */
                timeout?: number | undefined;
                /** Expected SSH host key(s). */
                "host-key"?: string | string[] | undefined;
                /** ssh, winrm or network_cli. Default: `"ssh"`. */
                "connection-type"?: string | undefined;
                /** Port consumers and the check use; default 22. */
                "connection-port"?: number | undefined;
                /** How many jobs may use this host at once. Default: `1`. */
                "max-parallel-jobs"?: number | undefined;
            }[] | undefined;
            /** Most nodes this pool may have at once; unset = unlimited, 0 or negative disables the pool. */
            "max-servers"?: number | undefined;
            /** Key/value data copied into every node record this pool creates. */
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        /** Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests. Default: `-1`. */
        "max-concurrency"?: number | undefined;
    } | {
        /** Context name in the kube config of the Nodepool services. */
        context: string;
        pools: {
            labels: {
                /** A top-level label this pool can launch. */
                name: NoInfer<LabelName>;
                /** namespace, or pod (a namespace holding one pod from image). */
                type: string;
                /** Container image of the pod (type: pod). */
                image?: string | undefined;
                /** Image pull policy: IfNotPresent, Always or Never. Default: `"IfNotPresent"`. */
                "image-pull"?: string | undefined;
            }[];
            /** Pool name, unique within its provider. */
            name: string;
            /** Most nodes this pool may have at once; unset = unlimited, 0 or negative disables the pool. */
            "max-servers"?: number | undefined;
            /** Key/value data copied into every node record this pool creates. */
            "node-attributes"?: Record<string, unknown> | undefined;
        }[];
        /** Provider name, unique; nodes, uploads and ZooKeeper records refer to it. */
        name: string;
        driver: "kubernetes";
        /** Attempts per node. Default: `3`. */
        "launch-retries"?: number | undefined;
        /** Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests. Default: `-1`. */
        "max-concurrency"?: number | undefined;
    } | {
        /** Kube config context whose account may create projects. */
        context: string;
        pools: {
            /** Pool name; projects are named <pool>-<node id>. */
            name: string;
            labels: {
                /** A top-level label this pool can launch. */
                name: NoInfer<LabelName>;
                /** project, or pod (a project holding one pod from image). */
                type: string;
                /** Pod image (type: pod). */
                image?: string | undefined;
                /** Image pull policy: IfNotPresent, Always or Never. Default: `"IfNotPresent"`. */
                "image-pull"?: string | undefined;
                /** CPU request of the pod. */
                cpu?: number | undefined;
                /** Memory request (MiB) of the pod. */
                memory?: number | undefined;
            }[];
        }[];
        /** Provider name, unique; nodes, uploads and ZooKeeper records refer to it. */
        name: string;
        driver: "openshift";
        /** Attempts per node. Default: `3`. */
        "launch-retries"?: number | undefined;
        /** Most projects this provider may have at once; unset = unlimited. */
        "max-projects"?: number | undefined;
        /** Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests. Default: `-1`. */
        "max-concurrency"?: number | undefined;
    } | {
        /** AWS region, e.g. us-west-2. */
        "region-name": string;
        pools: {
            labels: {
                /** A top-level label this pool can launch. */
                name: NoInfer<LabelName>;
                /** EC2 instance type, e.g. t3.medium. */
                "instance-type": string;
                /** EC2 key pair name. */
                "key-name": string;
                /** A cloud-images name of this provider. */
                "cloud-image"?: NoInfer<CloudImageName> | undefined;
                /** Root EBS volume type, e.g. gp2. */
                "volume-type"?: string | undefined;
                /** Root EBS volume size (GiB). */
                "volume-size"?: number | undefined;
            }[];
            /** Pool name, unique within its provider. */
            name: string;
            /** Subnet of the instance's primary interface. */
            "subnet-id"?: string | undefined;
            /** Security group of that interface. */
            "security-group-id"?: string | undefined;
            /** Most nodes this pool may have at once; unset = unlimited, 0 or negative disables the pool. */
            "max-servers"?: number | undefined;
            /** Key/value data copied into every node record this pool creates. */
            "node-attributes"?: Record<string, unknown> | undefined;
        }[];
        /** Provider name, unique; nodes, uploads and ZooKeeper records refer to it. */
        name: string;
        driver: "aws";
        /** AWS credentials profile. */
        "profile-name"?: string | undefined;
        /** Seconds to wait for a new instance to be running. Default: `60`. */
        "boot-timeout"?: number | undefined;
        /** Attempts of the create call. Default: `3`. */
        "launch-retries"?: number | undefined;
        /** Accepted and not used. */
        "hostname-format"?: string | undefined;
        /** Default: `[]`. */
        "cloud-images"?: {
            /** Identifier labels use; also the AMI ID when image-id is absent. */
            name: CloudImageName;
            /** How consumers reach the node: ssh, winrm, network_cli. Default: `"ssh"`. */
            "connection-type"?: string | undefined;
            /** Port consumers use; default 22, or 5986 for winrm. */
            "connection-port"?: number | undefined;
            /** AMI ID. */
            "image-id"?: string | undefined;
            /** Login user recorded on nodes. */
            username?: string | undefined;
        }[] | undefined;
        /** Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests. Default: `-1`. */
        "max-concurrency"?: number | undefined;
    } | {
        /** Provider name, unique; nodes, uploads and ZooKeeper records refer to it. */
        name: string;
        driver: "test";
        /** Default: `[]`. */
        pools?: {
            name: string;
            labels?: string[] | undefined;
            "max-servers"?: number | undefined;
            "node-attributes"?: Record<string, unknown> | undefined;
        }[] | undefined;
        /** Node launches in progress at once across the provider's pools; negative = unlimited, 0 = take no requests. Default: `-1`. */
        "max-concurrency"?: number | undefined;
    })[] | undefined;
    /** Images built with diskimage-builder. Default: `[]`. */
    diskimages?: {
        /** Image name; providers' diskimages and pool labels refer to it. */
        name: DiskimageName;
        /** diskimage-builder elements to include. Default: `[]`. */
        elements?: string[] | undefined;
        /** Exported to diskimage-builder as DIB_RELEASE (an int is passed as its decimal string). Default: `""`. */
        release?: string | number | undefined;
        /** Output formats to build in any case (tar, raw, qcow2, vhd, ...). Default: `[]`. */
        formats?: string[] | undefined;
        /** Extra environment for diskimage-builder; values must be strings. Default: `{}`. */
        "env-vars"?: Record<string, string> | undefined;
        /** When true, no new builds of this image are made. Default: `false`. */
        pause?: boolean | undefined;
        /** Seconds after which the newest ready build is rebuilt. Default: `86400`. */
        "rebuild-age"?: number | undefined;
        /** Login user recorded with each build and upload. Default: `"zuul"`. */
        username?: string | undefined;
        /** Seconds a diskimage-builder run may take before it is killed. Default: `28800`. */
        "build-timeout"?: number | undefined;
        /** Diskimage whose settings this one inherits (elements appended, env-vars merged). */
        parent?: NoInfer<DiskimageName> | undefined;
        /** When true, this diskimage is only a parent for others and is never built. */
        abstract?: boolean | undefined;
        /** Python interpreter diskimage-builder uses inside the image. */
        "python-path"?: string | undefined;
        /** Shell used to run diskimage-builder. */
        "shell-type"?: string | undefined;
        /** diskimage-builder command to run instead of disk-image-create. */
        "dib-cmd"?: string | undefined;
        /** Whether checksum files are written with each build. */
        "build-checksum"?: boolean | undefined;
        /** diskimage-builder block device configuration, passed through unchanged. */
        "block-device-mapping"?: unknown;
    }[] | undefined;
    /** Per-tenant resource caps (newer Nodepool). Default: `[]`. */
    "tenant-resource-limits"?: {
        [x: string]: number | string | undefined;
        /** Zuul tenant the limits apply to. */
        "tenant-name": string;
        /** Most nodes the tenant may hold at once. */
        "max-servers"?: number | undefined;
        /** Most vCPUs the tenant may hold at once. */
        "max-cores"?: number | undefined;
        /** Most RAM (MiB) the tenant may hold at once. */
        "max-ram"?: number | undefined;
    }[] | undefined;
};
export type NodepoolConfigInput = NodepoolConfigOf;
