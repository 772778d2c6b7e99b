/**
 * @module Nova's server state machine: vm_state (what the server is), task_state (what is being
 * done to it), power_state (what the hypervisor says), and the API `status` derived from the
 * first two (nova/api/openstack/common.py).
 */

export const VM_STATES = [
  'active',
  'building',
  'paused',
  'suspended',
  'stopped',
  'rescued',
  'resized',
  'soft-delete',
  'deleted',
  'error',
  'shelved',
  'shelved_offloaded',
] as const
export type VmState = (typeof VM_STATES)[number]

export const TASK_STATES = [
  'scheduling',
  'block_device_mapping',
  'networking',
  'spawning',
  'image_snapshot',
  'image_snapshot_pending',
  'image_pending_upload',
  'image_uploading',
  'updating_password',
  'resize_prep',
  'resize_migrating',
  'resize_migrated',
  'resize_finish',
  'resize_reverting',
  'resize_confirming',
  'rebooting',
  'reboot_pending',
  'reboot_started',
  'rebooting_hard',
  'reboot_pending_hard',
  'reboot_started_hard',
  'pausing',
  'unpausing',
  'suspending',
  'resuming',
  'powering-off',
  'powering-on',
  'rescuing',
  'unrescuing',
  'rebuilding',
  'rebuild_block_device_mapping',
  'rebuild_spawning',
  'migrating',
  'deleting',
  'soft-deleting',
  'restoring',
  'shelving',
  'shelving_image_pending_upload',
  'shelving_image_uploading',
  'shelving_offloading',
  'unshelving',
] as const
export type TaskState = (typeof TASK_STATES)[number]

const DEFAULT_STATUS: Readonly<Record<VmState, string>> = {
  active: 'ACTIVE',
  building: 'BUILD',
  paused: 'PAUSED',
  suspended: 'SUSPENDED',
  stopped: 'SHUTOFF',
  rescued: 'RESCUE',
  resized: 'VERIFY_RESIZE',
  'soft-delete': 'SOFT_DELETED',
  deleted: 'DELETED',
  error: 'ERROR',
  shelved: 'SHELVED',
  shelved_offloaded: 'SHELVED_OFFLOADED',
}

const REBOOT = ['rebooting', 'reboot_pending', 'reboot_started']
const HARD_REBOOT = ['rebooting_hard', 'reboot_pending_hard', 'reboot_started_hard']
const REBUILD = ['rebuilding', 'rebuild_block_device_mapping', 'rebuild_spawning']
const RESIZE = ['resize_prep', 'resize_migrating', 'resize_migrated', 'resize_finish']

/** The API status of a server (Nova's _STATE_MAP). */
export function serverStatus(vmState: string, taskState: string | null): string {
  const t = taskState ?? ''
  switch (vmState) {
    case 'active':
      if (REBOOT.includes(t)) return 'REBOOT'
      if (HARD_REBOOT.includes(t)) return 'HARD_REBOOT'
      if (t === 'updating_password') return 'PASSWORD'
      if (REBUILD.includes(t)) return 'REBUILD'
      if (t === 'migrating') return 'MIGRATING'
      if (RESIZE.includes(t)) return 'RESIZE'
      return 'ACTIVE'
    case 'stopped':
      if (RESIZE.includes(t)) return 'RESIZE'
      if (REBUILD.includes(t)) return 'REBUILD'
      return 'SHUTOFF'
    case 'resized':
      return t === 'resize_reverting' ? 'REVERT_RESIZE' : 'VERIFY_RESIZE'
    case 'paused':
      return t === 'migrating' ? 'MIGRATING' : 'PAUSED'
    case 'error':
      return REBUILD.includes(t) ? 'REBUILD' : 'ERROR'
    default:
      // SAFETY: the `in` check proves vmState is a key of DEFAULT_STATUS.
      return vmState in DEFAULT_STATUS ? DEFAULT_STATUS[vmState as VmState] : 'UNKNOWN'
  }
}

/** The vm_states a status filter means (`?status=ACTIVE`), for list queries. */
export function vmStatesOfStatus(status: string): string[] {
  const s = status.toUpperCase()
  const out = Object.entries(DEFAULT_STATUS)
    .filter(([, v]) => v === s)
    .map(([k]) => k)
  if (['REBOOT', 'HARD_REBOOT', 'PASSWORD', 'MIGRATING', 'RESIZE', 'REBUILD'].includes(s))
    out.push('active')
  if (s === 'REVERT_RESIZE') out.push('resized')
  return out
}
