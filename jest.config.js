/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/functions', '<rootDir>/shared', '<rootDir>/dev', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/dist-dev/', '<rootDir>/dev/[^/]+/dist/'],
  moduleNameMapper: {
    '^@d365-customer-sync/(functions-host|d365-emulator)$': '<rootDir>/dev/$1/src/index.ts',
  },
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
  },
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  setupFiles: ['<rootDir>/test/support/trust-emulator.ts'],
  // Every answer of the app in a test under test/ is checked against the OpenAPI document.
  setupFilesAfterEnv: ['<rootDir>/test/support/validate-responses.ts'],
  testTimeout: 60000,
  maxWorkers: 2,
};
