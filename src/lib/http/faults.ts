/**
 * @module One renderer per OpenStack error dialect. A service names its style once; handlers
 * throw AppErrors and never build error bodies themselves.
 */
import { STATUS_CODES } from 'node:http'

export const FAULT_STYLES = ['keystone', 'nova', 'neutron', 'glance', 'heat', 'swift'] as const
export type FaultStyle = (typeof FAULT_STYLES)[number]

export interface Fault {
  status: number
  message: string
  /** Neutron's error type (e.g. NetworkNotFound), Heat's error type. */
  type?: string | undefined
  /** Extra headers, e.g. Retry-After. */
  headers?: Record<string, string>
  /** The request's Accept header: Glance (webob) picks JSON, HTML or text by it. */
  accept?: string | undefined
}

export interface RenderedFault {
  status: number
  contentType: string
  body: string
  headers: Record<string, string>
}

/** Keystone's titles (keystone/exception.py), which differ from Node's for some statuses. */
const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  413: 'Request Entity Too Large',
  415: 'Unsupported Media Type',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
}

export function titleOf(status: number): string {
  return TITLES[status] ?? STATUS_CODES[status] ?? 'Error'
}

/** Nova's fault names (nova/api/openstack/wsgi.py Fault._fault_names). */
const NOVA_NAMES: Readonly<Record<number, string>> = {
  400: 'badRequest',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'itemNotFound',
  405: 'badMethod',
  409: 'conflictingRequest',
  413: 'overLimit',
  415: 'badMediaType',
  429: 'overLimit',
  501: 'notImplemented',
  503: 'serviceUnavailable',
}

/** Neutron's default types when the error did not name one. */
const NEUTRON_TYPES: Readonly<Record<number, string>> = {
  400: 'HTTPBadRequest',
  401: 'HTTPUnauthorized',
  403: 'HTTPForbidden',
  404: 'HTTPNotFound',
  405: 'HTTPMethodNotAllowed',
  409: 'HTTPConflict',
  413: 'HTTPRequestEntityTooLarge',
  415: 'HTTPUnsupportedMediaType',
  500: 'HTTPInternalServerError',
}

const JSON_TYPE = 'application/json'

export function renderFault(style: FaultStyle, fault: Fault): RenderedFault {
  const { status, message } = fault
  const headers = { ...fault.headers }
  switch (style) {
    case 'keystone':
      return {
        status,
        contentType: JSON_TYPE,
        headers,
        body: JSON.stringify({ error: { code: status, title: titleOf(status), message } }),
      }
    case 'nova':
      return {
        status,
        contentType: JSON_TYPE,
        headers,
        body: JSON.stringify({ [NOVA_NAMES[status] ?? 'computeFault']: { code: status, message } }),
      }
    case 'neutron':
      return {
        status,
        contentType: JSON_TYPE,
        headers,
        body: JSON.stringify({
          NeutronError: {
            type: fault.type ?? NEUTRON_TYPES[status] ?? 'HTTPError',
            message,
            detail: '',
          },
        }),
      }
    case 'glance':
      return renderWebob(fault, headers)
    case 'heat': {
      const title = titleOf(status)
      return {
        status,
        contentType: JSON_TYPE,
        headers,
        body: JSON.stringify({
          code: status,
          title,
          explanation: message,
          error: { message, type: fault.type ?? title.replaceAll(' ', ''), traceback: null },
        }),
      }
    }
    case 'swift': {
      const title = titleOf(status)
      return {
        status,
        contentType: 'text/html; charset=UTF-8',
        headers,
        body: `<html><h1>${title}</h1><p>${message}</p></html>`,
      }
    }
  }
}

/** webob's error page, in the form the request's Accept header asks for (Glance). */
function renderWebob(fault: Fault, headers: Record<string, string>): RenderedFault {
  const { status, message } = fault
  const title = STATUS_CODES[status] ?? titleOf(status)
  const accept = fault.accept ?? ''
  if (accept.includes('application/json'))
    return {
      status,
      contentType: JSON_TYPE,
      headers,
      body: JSON.stringify({
        message: `${message}<br /><br />\n\n\n`,
        code: `${status} ${title}`,
        title,
      }),
    }
  if (accept.includes('text/html') || accept.includes('*/*'))
    return {
      status,
      contentType: 'text/html; charset=UTF-8',
      headers,
      body: `<html>\n <head>\n  <title>${status} ${title}</title>\n </head>\n <body>\n  <h1>${status} ${title}</h1>\n  ${message}<br /><br />\n\n\n\n </body>\n</html>`,
    }
  return {
    status,
    contentType: 'text/plain; charset=UTF-8',
    headers,
    body: `${status} ${title}\n\n${message}\n\n   `,
  }
}
