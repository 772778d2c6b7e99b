/**
 * The compute agent's power-state sync (Nova's _sync_power_states): the hypervisor is the truth
 * for servers no action is running on.
 */
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { POWER_STATES } from '../../src/compute/virt/driver.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'

describe('compute power state sync', () => {
  let h: ComputeHarness
  let id: string
  before(async () => {
    h = await startComputeHarness()
    const image = await h.createImage()
    const res = await h.request('POST', '/v2.1/servers', {
      body: { server: { name: 'p', imageRef: image, flavorRef: '1' } },
    })
    id = res.body.server.id as string
    await h.waitForServer(id, (s) => s?.status === 'ACTIVE')
  })
  after(async () => h.close())

  const agentOf = async () => {
    const s = await h.waitForServer(id, () => true)
    const agent = h.service.agents.find((a) => a.host === s?.['OS-EXT-SRV-ATTR:host'])
    assert.ok(agent)
    return agent
  }

  it('stops a server whose guest shut down by itself', async () => {
    const agent = await agentOf()
    await agent.driver.powerOff(id)
    await agent.syncPowerStates()
    const s = await h.waitForServer(id, () => true)
    assert.equal(s?.status, 'SHUTOFF')
    assert.equal(s['OS-EXT-STS:power_state'], POWER_STATES.SHUTDOWN)
  })

  it('powers off a guest that runs under a stopped server', async () => {
    const agent = await agentOf()
    await agent.driver.powerOn(id)
    await agent.syncPowerStates()
    assert.equal(await agent.driver.getPowerState(id), POWER_STATES.SHUTDOWN)
    assert.equal((await h.waitForServer(id, () => true))?.status, 'SHUTOFF')
  })

  it('leaves servers an action is running on alone, and records a vanished guest', async () => {
    const agent = await agentOf()
    await h.service.deps.db
      .updateTable('instance')
      .set({ vm_state: 'active', task_state: 'rebooting', power_state: 1 })
      .where('id', '=', id)
      .execute()
    await agent.syncPowerStates()
    assert.equal((await h.waitForServer(id, () => true))?.['OS-EXT-STS:power_state'], 1)
    await h.service.deps.db
      .updateTable('instance')
      .set({ task_state: null })
      .where('id', '=', id)
      .execute()
    await agent.driver.destroy(id)
    await agent.syncPowerStates()
    const s = await h.waitForServer(id, () => true)
    assert.equal(s?.status, 'SHUTOFF')
    assert.equal(s['OS-EXT-STS:power_state'], POWER_STATES.NOSTATE)
  })
})
