/** @module The [image] section (Glance's options, with Glance's names where they exist). */
import { bool, choice, int, list, optionalStr, section } from '../lib/config/options.js'

export const imageSection = section('image', 'Image service (Glance v2 compatible).', {
  enabled: bool({ default: true, help: 'Run the image service in this process.' }),
  port: int({ default: 9292, min: 1, max: 65535, help: 'Port of the image API.' }),
  store: choice(['file'], { default: 'file', help: 'Where image data lives.' }),
  filesystemStoreDatadir: optionalStr({
    help: 'Directory of the file store (Glance [glance_store] filesystem_store_datadir).',
    sampleDefault: '<data_dir>/images',
  }),
  stagingDir: optionalStr({
    help: 'Where the interoperable import flow stages data (Glance node_staging_uri).',
    sampleDefault: '<data_dir>/image-staging',
  }),
  imageSizeCap: int({
    default: 1099511627776,
    min: 0,
    help: 'Largest image accepted, in bytes (Glance image_size_cap); bigger uploads get 413.',
  }),
  userStorageQuota: int({
    default: 0,
    min: 0,
    help: 'Bytes of image data a project may store (Glance user_storage_quota; 0: unlimited).',
  }),
  useKeystoneLimits: bool({
    default: false,
    help:
      'Enforce unified limits registered in identity for service type "image": image_size_total (MiB), ' +
      'image_stage_total (MiB), image_count_total, image_count_uploading (Glance use_keystone_limits).',
  }),
  imageMemberQuota: int({
    default: 128,
    min: -1,
    help: 'Members an image may have (-1: unlimited).',
  }),
  imagePropertyQuota: int({
    default: 128,
    min: -1,
    help: 'Extra properties an image may have (-1: unlimited).',
  }),
  imageTagQuota: int({ default: 128, min: -1, help: 'Tags an image may have (-1: unlimited).' }),
  requireImageFormatMatch: bool({
    default: true,
    help:
      'Refuse (400) uploads whose content is not what disk_format says, or that qemu would follow outside the ' +
      'image (qcow2 backing or data files, VMDK extents): the host-file-read attack (Glance 2024.2+ behaviour).',
  }),
  enabledImportMethods: list({
    default: ['glance-direct'],
    help: 'Interoperable import methods offered (glance-direct; web-download needs outbound HTTP).',
  }),
  limitParamDefault: int({
    default: 25,
    min: 1,
    help: 'Images a list returns when the request sets no limit.',
  }),
  apiLimitMax: int({ default: 1000, min: 1, help: 'Most images one list returns.' }),
  policyFile: optionalStr({
    help: 'A policy.yaml whose rules override the image defaults by name.',
  }),
  databaseConnection: optionalStr({
    help: 'Overrides [database] connection for the image service.',
  }),
})
