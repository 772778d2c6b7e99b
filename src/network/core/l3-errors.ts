/**
 * @module The errors of routers and floating IPs, under Neutron's exception names with its
 * message templates (clients such as Nova and Tempest match on the type).
 */
import { neutronError } from '../errors.js'
import { pyRepr } from './py-repr.js'

/** Neutron's generic BadRequest: "Bad <resource> request: <msg>." */
export function badRequestFor(resource: 'router' | 'floatingip', msg: string) {
  return neutronError('BadRequest', 'BadRequest', `Bad ${resource} request: ${msg}.`)
}

export const l3Errors = {
  routerNotFound: (routerId: string) =>
    neutronError('NotFound', 'RouterNotFound', `Router ${routerId} could not be found`),
  floatingIpNotFound: (id: string) =>
    neutronError('NotFound', 'FloatingIPNotFound', `Floating IP ${id} could not be found`),
  routerInUse: (routerId: string, reason: string) =>
    neutronError('Conflict', 'RouterInUse', `Router ${routerId} ${reason}`),
  routerInterfaceNotFound: (routerId: string, portId: string) =>
    neutronError(
      'NotFound',
      'RouterInterfaceNotFound',
      `Router ${routerId} does not have an interface with id ${portId}`,
    ),
  routerInterfaceNotFoundForSubnet: (routerId: string, subnetId: string) =>
    neutronError(
      'NotFound',
      'RouterInterfaceNotFoundForSubnet',
      `Router ${routerId} has no interface on subnet ${subnetId}`,
    ),
  routerInterfaceInUseByFloatingIp: (routerId: string, subnetId: string) =>
    neutronError(
      'Conflict',
      'RouterInterfaceInUseByFloatingIP',
      `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more floating IPs.`,
    ),
  routerInterfaceInUseByRoute: (routerId: string, subnetId: string) =>
    neutronError(
      'Conflict',
      'RouterInterfaceInUseByRoute',
      `Router interface for subnet ${subnetId} on router ${routerId} cannot be deleted, as it is required by one or more routes.`,
    ),
  gatewayInUseByFloatingIp: (routerId: string, networkId: string) =>
    neutronError(
      'Conflict',
      'RouterExternalGatewayInUseByFloatingIp',
      `Gateway cannot be updated for router ${routerId}, since a gateway to external network ${networkId} is required by one or more floating IPs.`,
    ),
  externalGatewayNotFound: (p: { networkId: string; subnetId: string; portId: string }) =>
    neutronError(
      'NotFound',
      'ExternalGatewayForFloatingIPNotFound',
      `External network ${p.networkId} is not reachable from subnet ${p.subnetId}.  Therefore, cannot associate Port ${p.portId} with a Floating IP.`,
    ),
  portAlreadyAssociated: (p: {
    floatingIpAddress: string
    fipId: string
    portId: string
    fixedIp: string
    networkId: string
  }) =>
    neutronError(
      'Conflict',
      'FloatingIPPortAlreadyAssociated',
      `Cannot associate floating IP ${p.floatingIpAddress} (${p.fipId}) with port ${p.portId} using fixed IP ${p.fixedIp}, as that fixed IP already has a floating IP on external network ${p.networkId}.`,
    ),
  invalidRoutes: (routes: unknown, reason: string) =>
    neutronError(
      'BadRequest',
      'InvalidRoutes',
      `Invalid format for routes: ${pyRepr(routes)}, ${reason}`,
    ),
  routesExhausted: (routerId: string, max: number) =>
    neutronError(
      'BadRequest',
      'RoutesExhausted',
      `Unable to complete operation for ${routerId}. The number of routes exceeds the maximum ${max}.`,
    ),
  portInUse: (p: { portId: string; networkId: string; deviceId: string }) =>
    neutronError(
      'Conflict',
      'PortInUse',
      `Unable to complete operation on port ${p.portId} for network ${p.networkId}. Port already has an attached device ${p.deviceId}.`,
    ),
  subnetMismatchForPort: (portId: string, subnetId: string) =>
    neutronError(
      'BadRequest',
      'SubnetMismatchForPort',
      `Subnet on port ${portId} does not match the requested subnet ${subnetId}.`,
    ),
  externalIpAddressExhausted: (networkId: string) =>
    neutronError(
      'BadRequest',
      'ExternalIpAddressExhausted',
      `Unable to find any IP address on external network ${networkId}.`,
    ),
}
