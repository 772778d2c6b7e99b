/** @module The [identity] section. */
import { bool, int, optionalStr, section, str } from '../lib/config/options.js'

export const identitySection = section('identity', 'Identity (Keystone v3 compatible).', {
  port: int({ default: 5000, min: 1, max: 65535, help: 'Port of the identity API.' }),
  adminUser: str({ default: 'admin', help: 'Name of the admin user bootstrap creates.' }),
  adminPassword: str({
    default: 'secret',
    secret: true,
    help: 'Password bootstrap gives the admin user.',
  }),
  adminProject: str({
    default: 'admin',
    help: 'Project bootstrap creates and gives the admin role on.',
  }),
  region: str({
    default: 'RegionOne',
    help: 'Region of the catalog endpoints bootstrap registers.',
  }),
  tokenExpiration: int({ default: 3600, min: 60, help: 'Seconds a token stays valid.' }),
  allowExpiredWindow: int({
    default: 172800,
    min: 0,
    help: 'Seconds after expiry during which a service may still validate a token with ?allow_expired=1.',
  }),
  keyRepository: optionalStr({
    help: 'Directory of the token encryption keys.',
    sampleDefault: '<data_dir>/fernet-keys',
  }),
  maxActiveKeys: int({
    default: 3,
    min: 2,
    help: 'Keys kept by `ostack token rotate` (staged + primary + secondaries).',
  }),
  credentialKeyRepository: optionalStr({
    help: 'Directory of the keys that encrypt stored credentials.',
    sampleDefault: '<data_dir>/credential-keys',
  }),
  passwordHashRounds: int({
    default: 12,
    min: 4,
    max: 31,
    help: 'bcrypt cost of stored password hashes (Keystone default: 12). Lowering it weakens every new hash.',
  }),
  maxPasswordLength: int({ default: 4096, min: 1, help: 'Longest password accepted.' }),
  listLimit: int({
    default: 0,
    min: 0,
    help: 'Most entities a list returns (0: no limit); more sets "truncated".',
  }),
  policyFile: optionalStr({
    help: 'A policy.yaml whose rules override the identity defaults by name.',
  }),
  databaseConnection: optionalStr({
    help: 'Overrides [database] connection for the identity service.',
  }),
  bootstrap: bool({
    default: true,
    help: 'Create the admin user, roles and catalog on first start.',
  }),
})

/** Keystone's [security_compliance] (PCI-DSS) options; every one is off by default, as in Keystone. */
export const securityComplianceSection = section(
  'security_compliance',
  'Password and lockout rules for users with passwords (Keystone [security_compliance]).',
  {
    lockoutFailureAttempts: int({
      default: 0,
      min: 0,
      help: 'Failed password authentications in a row after which the user is locked out (0: never).',
    }),
    lockoutDuration: int({
      default: 1800,
      min: 1,
      help: 'Seconds a locked-out user stays locked (with lockout_failure_attempts).',
    }),
    uniqueLastPasswordCount: int({
      default: 0,
      min: 0,
      help: 'A new password must differ from this many previous ones, the current one included (0: no history).',
    }),
    minimumPasswordAge: int({
      default: 0,
      min: 0,
      help: 'Days a password must be kept before its owner may change it again (admins may always reset it).',
    }),
    passwordExpiresDays: int({
      default: 0,
      min: 0,
      help: 'Days after which a password expires and must be changed (0: never).',
    }),
    passwordRegex: optionalStr({ help: 'A regular expression every new password must match.' }),
    passwordRegexDescription: optionalStr({
      help: 'What password_regex requires, in words, for error messages.',
    }),
  },
)
