/** @module Request-schema pieces Keystone's delegation resources share (parameter_types.py). */
import { Type } from '@sinclair/typebox'

/** parameter_types.name: 1-255 characters, not only whitespace. */
export const Name = Type.String({ minLength: 1, maxLength: 255, pattern: '[\\S]+' })

/** parameter_types.id_string. */
export const IdString = Type.String({ minLength: 1, maxLength: 64, pattern: '^[a-zA-Z0-9-]+$' })

/** `[{"id": ...} | {"name": ...}]`: exactly one key per role. */
export const RoleRefs = Type.Array(
  Type.Object(
    { id: Type.Optional(IdString), name: Type.Optional(Name) },
    { minProperties: 1, maxProperties: 1, additionalProperties: false },
  ),
)

export const NullableString = Type.Union([Type.String(), Type.Null()])
