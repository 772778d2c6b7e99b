import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import { type ActionKit, actionKit, faultMessage } from '../support/compute-actions.js'
import { type ComputeHarness, startComputeHarness } from '../support/compute-harness.js'
import { eventually } from '../support/poll.js'

describe('compute server actions', () => {
  let h: ComputeHarness
  let k: ActionKit
  let imageId: string
  let alice: { userId: string; projectId: string; token: string }
  before(async () => {
    h = await startComputeHarness()
    imageId = await h.createImage()
    k = await actionKit(h, imageId)
    alice = await h.member('alice')
  })
  after(async () => h.close())

  const actionNames = async (id: string) => {
    const res = await h.request('GET', `/v2.1/servers/${id}/os-instance-actions`)
    assert.equal(res.status, 200, res.text)
    return (res.body.instanceActions as { action: string }[]).map((a) => a.action).sort()
  }

  it('reboots (soft and hard) and records exactly create and reboot', async () => {
    const id = await k.boot()
    let res = await k.act(id, { reboot: { type: 'SOFT' } })
    assert.equal(res.status, 202, res.text)
    assert.equal(res.text, '')
    await k.settled(id, 'ACTIVE')
    assert.deepEqual(await actionNames(id), ['create', 'reboot'])
    res = await k.act(id, { reboot: { type: 'hard' } })
    assert.equal(res.status, 202, res.text)
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { reboot: { type: 'WARM' } })
    assert.equal(res.status, 400)
    res = await k.act(id, { reboot: {} })
    assert.equal(res.status, 400)
    // The .end notifications may follow the state change by a moment, as in Nova.
    const wanted = [
      'instance.create.start',
      'instance.create.end',
      'instance.reboot.start',
      'instance.reboot.end',
    ]
    await eventually(
      async () =>
        k.notifications
          .filter((n) => (n.payload as { uuid?: string }).uuid === id)
          .map((n) => n.event_type),
      (names) => wanted.every((e) => names.includes(e)),
      `notifications ${wanted.join()}`,
    )
  })

  it('stops, starts, pauses, suspends with Nova state rules and power states', async () => {
    const id = await k.boot()
    assert.equal((await k.act(id, { 'os-stop': null })).status, 202)
    let s = await k.settled(id, 'SHUTOFF')
    assert.equal(s['OS-EXT-STS:power_state'], 4)
    let res = await k.act(id, { 'os-stop': null })
    assert.equal(res.status, 409)
    assert.equal(faultMessage(res), `Cannot 'stop' instance ${id} while it is in vm_state stopped`)
    res = await k.act(id, { reboot: { type: 'SOFT' } })
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'reboot' instance ${id} while it is in vm_state stopped`,
    )
    assert.equal((await k.act(id, { 'os-start': null })).status, 202)
    await k.settled(id, 'ACTIVE')
    assert.equal((await k.act(id, { pause: null })).status, 202)
    s = await k.settled(id, 'PAUSED')
    assert.equal(s['OS-EXT-STS:power_state'], 3)
    res = await k.act(id, { suspend: null })
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'suspend' instance ${id} while it is in vm_state paused`,
    )
    assert.equal((await k.act(id, { unpause: null })).status, 202)
    await k.settled(id, 'ACTIVE')
    assert.equal((await k.act(id, { suspend: null })).status, 202)
    s = await k.settled(id, 'SUSPENDED')
    assert.equal(s['OS-EXT-STS:power_state'], 7)
    assert.equal((await k.act(id, { resume: null })).status, 202)
    await k.settled(id, 'ACTIVE')
    assert.deepEqual(await actionNames(id), [
      'create',
      'pause',
      'resume',
      'start',
      'stop',
      'suspend',
      'unpause',
    ])
    // A hard reboot brings a stopped server back.
    await k.act(id, { 'os-stop': null })
    await k.settled(id, 'SHUTOFF')
    assert.equal((await k.act(id, { reboot: { type: 'HARD' } })).status, 202)
    s = await k.settled(id, 'ACTIVE')
    assert.equal(s['OS-EXT-STS:power_state'], 1)
  })

  it('refuses malformed bodies, unknown actions and other projects servers', async () => {
    const id = await k.boot()
    let res = await k.act(id, { pause: null, unpause: null })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Malformed request body')
    res = await h.request('POST', `/v2.1/servers/${id}/action`)
    assert.equal(res.status, 400)
    res = await k.act(id, { fly: null })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'There is no such action: fly')
    res = await k.act(id, { pause: null }, { token: alice.token })
    assert.equal(res.status, 404)
    assert.equal(faultMessage(res), `Instance ${id} could not be found.`)
    res = await k.act('00000000-0000-0000-0000-000000000000', { pause: null })
    assert.equal(res.status, 404)
    res = await k.act(id, { 'os-resetState': { state: 'error' } }, { token: alice.token })
    assert.equal(res.status, 404, 'another project: 404 before any policy')
    assert.deepEqual(await actionNames(id), ['create'])
  })

  it('locks: owner and admin locks, reasons (2.73), overrides and refusals', async () => {
    const id = await k.boot({ token: alice.token })
    let res = await k.act(id, { lock: null }, { token: alice.token })
    assert.equal(res.status, 202, res.text)
    let s = await k.settled(id, 'ACTIVE')
    assert.equal(
      (await h.request('GET', `/v2.1/servers/${id}`, { token: alice.token, microversion: '2.9' }))
        .body.server.locked,
      true,
    )
    res = await k.act(id, { pause: null }, { token: alice.token })
    assert.equal(res.status, 409)
    assert.equal(faultMessage(res), `Instance ${id} is locked`)
    res = await k.act(id, { changePassword: { adminPass: 'x' } }, { token: alice.token })
    assert.equal(res.status, 409)
    assert.equal(faultMessage(res), `Instance ${id} is in an invalid state for 'changePassword'`)
    res = await h.request('DELETE', `/v2.1/servers/${id}`, { token: alice.token })
    assert.equal(res.status, 409)
    // The admin is not held by locks.
    assert.equal((await k.act(id, { pause: null })).status, 202)
    await k.settled(id, 'PAUSED')
    assert.equal((await k.act(id, { unpause: null })).status, 202)
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { unlock: null }, { token: alice.token })
    assert.equal(res.status, 202)
    // An admin lock with a reason: the owner cannot lift it.
    res = await k.act(id, { lock: { locked_reason: 'maintenance' } }, { microversion: '2.73' })
    assert.equal(res.status, 202, res.text)
    s = (await h.request('GET', `/v2.1/servers/${id}`, { microversion: '2.73' })).body.server
    assert.equal(s.locked_reason, 'maintenance')
    res = await k.act(id, { lock: { locked_reason: '' } }, { microversion: '2.73' })
    assert.equal(res.status, 400)
    res = await k.act(id, { lock: { reason: 'x' } }, { microversion: '2.73' })
    assert.equal(res.status, 400)
    res = await k.act(id, { unlock: null }, { token: alice.token })
    assert.equal(res.status, 403)
    assert.equal(
      faultMessage(res),
      "Policy doesn't allow os_compute_api:os-lock-server:unlock:unlock_override to be performed.",
    )
    res = await k.act(id, { unlock: null })
    assert.equal(res.status, 202)
    s = (await h.request('GET', `/v2.1/servers/${id}`, { microversion: '2.73' })).body.server
    assert.equal(s.locked, false)
    assert.equal(s.locked_reason, null)
    const actions = await h.request('GET', `/v2.1/servers/${id}/os-instance-actions`)
    const lockAction = actions.body.instanceActions.find(
      (a: { action: string }) => a.action === 'lock',
    )
    const shown = await h.request(
      'GET',
      `/v2.1/servers/${id}/os-instance-actions/${lockAction.request_id}`,
    )
    assert.deepEqual(
      shown.body.instanceAction.events.map((e: { event: string }) => e.event),
      ['api_lock'],
    )
  })

  it('rescues with a password (200) and unrescues', async () => {
    const id = await k.boot()
    let res = await k.act(id, { rescue: null })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(Object.keys(res.body), ['adminPass'])
    assert.equal(res.body.adminPass.length, 12)
    await k.settled(id, 'RESCUE')
    res = await k.act(id, { rescue: { adminPass: 'given' } })
    assert.equal(res.status, 409)
    res = await k.act(id, { unrescue: null })
    assert.equal(res.status, 202)
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { rescue: { adminPass: 'secret', rescue_image_ref: imageId } })
    assert.equal(res.body.adminPass, 'secret')
    await k.settled(id, 'RESCUE')
    res = await k.act(id, { rescue: { rescue_image_ref: 'not-a-uuid' } })
    assert.equal(res.status, 400)
    await k.act(id, { unrescue: null })
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { rescue: { rescue_image_ref: '11111111-1111-1111-1111-111111111111' } })
    assert.equal(res.status, 400)
    assert.equal(
      faultMessage(res),
      "Requested rescue image '11111111-1111-1111-1111-111111111111' is not supported",
    )
  })

  it('changes the password, resets state (admin), triggers a crash dump (2.17)', async () => {
    const id = await k.boot({ token: alice.token })
    let res = await k.act(id, { changePassword: { adminPass: 'n3w' } }, { token: alice.token })
    assert.equal(res.status, 202, res.text)
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { changePassword: {} })
    assert.equal(res.status, 400)
    res = await k.act(id, { 'os-resetState': { state: 'error' } }, { token: alice.token })
    assert.equal(res.status, 403)
    res = await k.act(id, { 'os-resetState': { state: 'invalid' } })
    assert.equal(res.status, 400)
    res = await k.act(id, { 'os-resetState': { state: 1 } })
    assert.equal(res.status, 400)
    res = await k.act(id, { 'os-resetState': { state: 'error' } })
    assert.equal(res.status, 202)
    let s = (await h.request('GET', `/v2.1/servers/${id}`)).body.server
    assert.equal(s.status, 'ERROR')
    res = await k.act(id, { 'os-resetState': { state: 'active' } })
    s = (await h.request('GET', `/v2.1/servers/${id}`)).body.server
    assert.equal(s.status, 'ACTIVE')
    res = await k.act(id, { trigger_crash_dump: null })
    assert.equal(res.status, 404, 'no such action below 2.17')
    res = await k.act(id, { trigger_crash_dump: {} }, { microversion: '2.17' })
    assert.equal(res.status, 400)
    res = await k.act(
      id,
      { trigger_crash_dump: null },
      { microversion: '2.17', token: alice.token },
    )
    assert.equal(res.status, 202, res.text)
    assert.deepEqual(await actionNames(id), [
      'changePassword',
      'create',
      'resetState',
      'resetState',
      'trigger_crash_dump',
    ])
  })

  it('answers the admin and legacy network actions as Nova does', async () => {
    const id = await k.boot()
    let res = await k.act(id, { resetNetwork: null })
    assert.equal(res.status, 410)
    res = await k.act(id, { injectNetworkInfo: null }, { token: alice.token })
    assert.equal(res.status, 404)
    res = await k.act(id, { injectNetworkInfo: null })
    assert.equal(res.status, 202)
    res = await k.act(id, { addSecurityGroup: {} })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Security group not specified')
    res = await k.act(id, { addSecurityGroup: { name: ' ' } })
    assert.equal(faultMessage(res), 'Security group name cannot be empty')
    res = await k.act(id, { removeSecurityGroup: { name: 'default' } })
    assert.equal(res.status, 404)
    res = await k.act(id, { restore: null })
    assert.equal(res.status, 409)
    assert.equal(
      faultMessage(res),
      `Cannot 'restore' instance ${id} while it is in vm_state active`,
    )
    res = await k.act(id, { forceDelete: null })
    assert.equal(res.status, 202)
    await h.waitForServer(id, (_s, status) => status === 404)
  })

  it('shows the console log with Nova tail semantics', async () => {
    const id = await k.boot()
    let res = await k.act(id, { 'os-getConsoleOutput': {} })
    assert.equal(res.status, 200, res.text)
    const full = res.body.output as string
    const pieces = full.split('\n')
    assert.ok(pieces.length > 3)
    res = await k.act(id, { 'os-getConsoleOutput': { length: 3 } })
    assert.equal(res.body.output.split('\n').length, 3)
    res = await k.act(id, { 'os-getConsoleOutput': { length: '0' } })
    assert.equal(res.body.output, '')
    res = await k.act(id, { 'os-getConsoleOutput': { length: -1 } })
    assert.equal(res.body.output, pieces.slice(1).join('\n'))
    res = await k.act(id, { 'os-getConsoleOutput': { length: null } })
    assert.equal(res.body.output, full)
    res = await k.act(id, { 'os-getConsoleOutput': { length: -2 } })
    assert.equal(res.status, 400)
    res = await k.act(id, { 'os-getConsoleOutput': { lines: 2 } })
    assert.equal(res.status, 400)
    await k.act(id, { reboot: { type: 'SOFT' } })
    await k.settled(id, 'ACTIVE')
    res = await k.act(id, { 'os-getConsoleOutput': {} })
    assert.ok((res.body.output as string).length > full.length, 'a reboot logs more')
  })

  it('hands out noVNC URLs (2.1-2.5 action, 2.6 remote-consoles) with stored tokens', async () => {
    const id = await k.boot()
    let res = await k.act(id, { 'os-getVNCConsole': { type: 'novnc' } })
    assert.equal(res.status, 200, res.text)
    assert.equal(res.body.console.type, 'novnc')
    const m = /^http:\/\/[^/]+:6080\/vnc_auto\.html\?path=%3Ftoken%3D([0-9a-f-]+)$/.exec(
      res.body.console.url as string,
    )
    assert.ok(m, res.body.console.url)
    const { validateConsoleToken } =
      await import('../../src/compute/core/servers/actions/consoles.js')
    const found = await validateConsoleToken(h.service.deps, m[1] ?? '')
    assert.equal(found?.instanceId, id)
    assert.equal(await validateConsoleToken(h.service.deps, `bad${m[1] ?? ''}`), undefined)
    res = await k.act(id, { 'os-getVNCConsole': { type: 'novnc' } }, { microversion: '2.6' })
    assert.equal(res.status, 404)
    res = await k.act(id, { 'os-getVNCConsole': { type: 'spice' } })
    assert.equal(res.status, 400)
    res = await k.act(id, { 'os-getSPICEConsole': { type: 'spice-html5' } })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Unavailable console type spice-html5.')
    const url = `/v2.1/servers/${id}/remote-consoles`
    res = await h.request('POST', url, {
      microversion: '2.6',
      body: { remote_console: { protocol: 'vnc', type: 'novnc' } },
    })
    assert.equal(res.status, 200, res.text)
    assert.deepEqual(Object.keys(res.body.remote_console).sort(), ['protocol', 'type', 'url'])
    res = await h.request('POST', url, {
      microversion: '2.5',
      body: { remote_console: { protocol: 'vnc', type: 'novnc' } },
    })
    assert.equal(res.status, 404)
    res = await h.request('POST', url, {
      microversion: '2.6',
      body: { remote_console: { protocol: 'mks', type: 'webmks' } },
    })
    assert.equal(res.status, 400, 'mks only from 2.8')
    res = await h.request('POST', url, {
      microversion: '2.8',
      body: { remote_console: { protocol: 'mks', type: 'webmks' } },
    })
    assert.equal(res.status, 400)
    assert.equal(faultMessage(res), 'Unavailable console type webmks.')
    res = await h.request('POST', url, {
      microversion: '2.6',
      token: alice.token,
      body: { remote_console: { protocol: 'vnc', type: 'novnc' } },
    })
    assert.equal(res.status, 404)
  })

  it('refuses actions on a server still building (no host yet)', async () => {
    const res = await h.request('POST', '/v2.1/servers', {
      body: { server: { name: 'b', imageRef: imageId, flavorRef: '1' } },
    })
    const id = res.body.server.id as string
    // Immediately after create the server may still be scheduling.
    const stop = await k.act(id, { 'os-stop': null })
    assert.ok([202, 409].includes(stop.status), stop.text)
    await h.waitForServer(id, (s) => s?.['OS-EXT-STS:task_state'] === null)
  })
})
