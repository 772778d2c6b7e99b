// QEMU enhanced disk (docs/interop/qed_spec.txt in QEMU). Detected only to be refused: QEMU has
// deprecated it, and it can name a backing file like qcow2.
import {
  hasMagic,
  readUint,
  toSafeNumber,
  type FormatFinding,
  type ImageBytes,
} from './image-bytes.js'

const IMAGE_SIZE_OFFSET = 48

/** Inspects a QED header; undefined when the image does not start with the QED magic. */
export function inspectQed(image: ImageBytes): FormatFinding | undefined {
  if (!hasMagic(image.head, 0, 'QED\0')) return undefined
  return {
    format: 'qed',
    virtualSize: toSafeNumber(readUint(image.head, IMAGE_SIZE_OFFSET, 8, 'le')),
    unsafe: ['QED images are not supported.'],
  }
}
