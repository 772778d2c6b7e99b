// LUKS-encrypted volume (version 1 or 2). Its virtual size needs the key, so none is reported.
import { hasMagic, type FormatFinding, type ImageBytes } from './image-bytes.js'

const MAGIC = Buffer.from('LUKS\xba\xbe', 'latin1')

/** Detects a LUKS header; undefined when the image does not start with the LUKS magic. */
export function inspectLuks(image: ImageBytes): FormatFinding | undefined {
  if (!hasMagic(image.head, 0, MAGIC)) return undefined
  return { format: 'luks', unsafe: [] }
}
