/** @module The plain-JSON shapes that travel between compute roles over the bus. */
import type { NetworkCaller, RequestedNetwork } from '../network-client.js'

export interface FlavorSnapshot {
  id: string
  name: string
  vcpus: number
  memoryMb: number
  rootGb: number
  ephemeralGb: number
  swapMb: number
  rxtxFactor: number
  extraSpecs: Record<string, string>
}

/** What an agent needs to build a server (no database access on hosts). */
export interface InstanceBuild {
  instanceId: string
  name: string
  projectId: string
  userId: string
  flavor: FlavorSnapshot
  imageId: string | null
  imageProperties: Record<string, string>
  userData: string | null
  keyData: string | null
  adminPass: string | null
  /** The node the scheduler claimed for it. */
  host: string
  node: string
  attempt: number
  /** The zone of the host it landed on (its ports get device_owner `compute:<zone>`). */
  availabilityZone: string
  network: BuildNetworkRequest
}

/** What a build asks of the network service (Nova passes requested_networks and security_groups). */
export interface BuildNetworkRequest {
  /** null: the request named no networks. */
  requested: 'auto' | 'none' | RequestedNetwork[] | null
  securityGroups: string[]
  /** The requester, whose rights the ports are made with. */
  caller: NetworkCaller
  canAttachExternal: boolean
}

/** Fields an agent may change on an instance through the conductor. */
export interface InstanceUpdate {
  vm_state?: string
  task_state?: string | null
  power_state?: number
  host?: string | null
  node?: string | null
  launched_at?: string | null
  terminated_at?: string | null
  progress?: number
  flavor?: string
  new_flavor?: string | null
  availability_zone?: string | null
}

export interface RequestContextJson {
  requestId: string
  userId: string
  projectId: string
  isAdmin: boolean
  roles: string[]
}
