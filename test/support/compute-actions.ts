/**
 * @module Helpers for server action tests: boot a server and wait until it is settled, post
 * an action, wait for a status with no task in progress, and collect notifications.
 */
import assert from 'node:assert/strict'
import { NOTIFICATIONS_TOPIC, type Notification } from '../../src/lib/rpc/notifier.js'
import type { ComputeHarness } from './compute-harness.js'
import type { Response } from './identity-harness.js'

export interface ActionKit {
  boot(options?: {
    token?: string
    flavorRef?: string
    name?: string
    imageRef?: string
  }): Promise<string>
  act(
    id: string,
    body: unknown,
    options?: { microversion?: string; token?: string },
  ): Promise<Response>
  settled(id: string, status: string): Promise<Record<string, unknown>>
  notifications: Notification[]
}

export async function actionKit(h: ComputeHarness, imageId: string): Promise<ActionKit> {
  const notifications: Notification[] = []
  await h.image.bus.serve(NOTIFICATIONS_TOPIC, {
    info: (m) => void notifications.push(m as Notification),
    error: (m) => void notifications.push(m as Notification),
  })
  const settled = async (id: string, status: string) => {
    const s = await h.waitForServer(
      id,
      (v) => v?.status === status && v['OS-EXT-STS:task_state'] === null,
    )
    assert.ok(s)
    // What follows the state change (event finish, .end notifications) is in flight on the bus.
    await h.image.bus.idle()
    return s
  }
  return {
    notifications,
    settled,
    act: (id, body, options = {}) =>
      h.request('POST', `/v2.1/servers/${id}/action`, { body, ...options }),
    boot: async (options = {}) => {
      const res = await h.request('POST', '/v2.1/servers', {
        ...(options.token ? { token: options.token } : {}),
        body: {
          server: {
            name: options.name ?? 'vm',
            imageRef: options.imageRef ?? imageId,
            flavorRef: options.flavorRef ?? '1',
          },
        },
      })
      assert.equal(res.status, 202, res.text)
      const id = res.body.server.id as string
      await settled(id, 'ACTIVE')
      return id
    },
  }
}

/** The fault message of a Nova error body. */
export function faultMessage(res: Response): string {
  // SAFETY: Nova faults are `{ "<name>": { code, message } }`.
  return (Object.values(res.body as object)[0] as { message: string }).message
}
