/** @module The [compute] and [fake] sections (Nova's options, with Nova's names where they exist). */
import { bool, choice, float, int, list, optionalStr, section, str } from '../lib/config/options.js'

export const computeSection = section(
  'compute',
  'Compute (Nova v2.1 compatible): API, conductor, scheduler, agents.',
  {
    enabled: bool({ default: true, help: 'Run the compute service in this process.' }),
    port: int({ default: 8774, min: 1, max: 65535, help: 'Port of the compute API.' }),
    virtDriver: choice(['fake'], {
      default: 'fake',
      help: 'Hypervisor driver of the compute agents of this process.',
    }),
    host: optionalStr({ help: 'Name of this compute host (default: the machine host name).' }),
    defaultAvailabilityZone: str({
      default: 'nova',
      help: 'Availability zone of hosts in no zone aggregate.',
    }),
    defaultScheduleZone: optionalStr({
      help: 'Zone servers go to when the request names none (default: any).',
    }),
    cpuAllocationRatio: float({
      default: 4,
      min: 0.0001,
      help: 'Virtual CPUs the scheduler may place per physical CPU.',
    }),
    ramAllocationRatio: float({
      default: 1,
      min: 0.0001,
      help: 'RAM the scheduler may place per MB of host RAM.',
    }),
    diskAllocationRatio: float({
      default: 1,
      min: 0.0001,
      help: 'Disk the scheduler may place per GB of host disk.',
    }),
    reservedHostMemoryMb: int({ default: 512, min: 0, help: 'RAM kept for the host itself.' }),
    reservedHostDiskMb: int({ default: 0, min: 0, help: 'Disk kept for the host itself.' }),
    enabledFilters: list({
      default: [
        'ComputeFilter',
        'AvailabilityZoneFilter',
        'ComputeCapabilitiesFilter',
        'ImagePropertiesFilter',
        'ServerGroupAntiAffinityFilter',
        'ServerGroupAffinityFilter',
        'RamFilter',
        'DiskFilter',
        'CoreFilter',
        'AggregateInstanceExtraSpecsFilter',
        'AggregateMultiTenancyIsolation',
        'SameHostFilter',
        'DifferentHostFilter',
        'JsonFilter',
      ],
      help: 'Scheduler filters, in order (Nova [filter_scheduler] enabled_filters).',
    }),
    ramWeightMultiplier: float({
      default: 1,
      help: 'Weight of free RAM (negative stacks instead of spreading).',
    }),
    diskWeightMultiplier: float({ default: 1, help: 'Weight of free disk.' }),
    cpuWeightMultiplier: float({ default: 1, help: 'Weight of free vCPUs.' }),
    ioOpsWeightMultiplier: float({
      default: -1,
      help: 'Weight of busy hosts (negative prefers idle ones).',
    }),
    softAffinityWeightMultiplier: float({
      default: 1,
      help: 'Weight of soft-affinity group members on a host.',
    }),
    softAntiAffinityWeightMultiplier: float({
      default: 1,
      help: 'Weight of soft-anti-affinity group members elsewhere.',
    }),
    hostSubsetSize: int({
      default: 1,
      min: 1,
      help: 'Pick randomly among this many best hosts (spreads concurrent boots).',
    }),
    maxAttempts: int({
      default: 3,
      min: 1,
      help: 'Hosts a build may be tried on before it fails (Nova [scheduler] max_attempts).',
    }),
    reportInterval: int({
      default: 10,
      min: 1,
      help: 'Seconds between compute agent heartbeats and resource reports.',
    }),
    serviceDownTime: int({
      default: 60,
      min: 1,
      help: 'Seconds without a heartbeat after which a service is down.',
    }),
    syncPowerStateInterval: int({
      default: 600,
      min: 0,
      help: 'Seconds between power-state syncs (0: never).',
    }),
    allowResizeToSameHost: bool({
      default: true,
      help: 'Whether a resize may stay on the same host (Nova allow_resize_to_same_host; needed with one host).',
    }),
    shelvedOffloadTime: int({
      default: 0,
      min: -1,
      help: 'Seconds before a shelved server leaves its host: 0 at once; other values keep it on its host until shelveOffload.',
    }),
    vifPluggingTimeout: int({
      default: 300,
      min: 0,
      help: 'Seconds a build waits for its ports to be plugged (network-vif-plugged) before going on or failing (Nova vif_plugging_timeout; 0: do not wait).',
    }),
    vifPluggingIsFatal: bool({
      default: true,
      help: 'Whether a build whose ports were not plugged in time fails (Nova vif_plugging_is_fatal).',
    }),
    defaultFloatingPool: str({
      default: 'nova',
      help: 'External network (name or id) os-floating-ips allocates from when the request names no pool (Nova [neutron] default_floating_pool).',
    }),
    novncproxyBaseUrl: optionalStr({
      help: 'Base URL of the noVNC proxy handed to clients (default http://<public host>:6080/vnc_auto.html).',
    }),
    consoleTokenTtl: int({
      default: 600,
      min: 1,
      help: 'Seconds a console access token stays valid (Nova [consoleauth] token_ttl).',
    }),
    maxMicroversion: str({ default: '2.79', help: 'Highest compute API microversion advertised.' }),
    osapiMaxLimit: int({ default: 1000, min: 1, help: 'Most items a list returns.' }),
    policyFile: optionalStr({
      help: 'A policy.yaml whose rules override the compute defaults by name.',
    }),
    databaseConnection: optionalStr({
      help: 'Overrides [database] connection for the compute service.',
    }),
  },
)

export const fakeSection = section(
  'fake',
  'The fake virt driver: hypervisors in memory, for tests and scale runs.',
  {
    hosts: list({
      default: ['compute1'],
      help: 'Hypervisors this process presents (one compute agent each), e.g. node1,node2 or node[1-100].',
    }),
    vcpus: int({ default: 16, min: 1, help: 'vCPUs of each fake hypervisor.' }),
    memoryMb: int({ default: 65536, min: 1, help: 'RAM (MB) of each fake hypervisor.' }),
    localGb: int({ default: 1024, min: 1, help: 'Disk (GB) of each fake hypervisor.' }),
  },
)

/** Nova's [quota] section: the default limits every project gets unless overridden. */
export const quotaSection = section(
  'quota',
  'Compute quotas (Nova [quota]): defaults for every project.',
  {
    instances: int({ default: 10, min: -1, help: 'Servers per project.' }),
    cores: int({ default: 20, min: -1, help: 'Virtual CPUs per project.' }),
    ram: int({ default: 51200, min: -1, help: 'Megabytes of RAM per project.' }),
    metadataItems: int({ default: 128, min: -1, help: 'Metadata items per server.' }),
    injectedFiles: int({ default: 5, min: -1, help: 'Personality files per server.' }),
    injectedFileContentBytes: int({
      default: 10240,
      min: -1,
      help: 'Bytes of one personality file (its base64 text).',
    }),
    injectedFilePathLength: int({ default: 255, min: -1, help: 'Length of a personality path.' }),
    keyPairs: int({ default: 100, min: -1, help: 'Key pairs per user.' }),
    serverGroups: int({ default: 10, min: -1, help: 'Server groups per project.' }),
    serverGroupMembers: int({ default: 10, min: -1, help: 'Servers per server group.' }),
  },
)
