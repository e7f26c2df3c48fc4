/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup.ts'],
  // Type-checking runs once in `npm run typecheck`; per-file transpilation keeps a cdktf test file near 1 s.
  transform: {
    '^.+\\.[tj]s$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.test.json' }],
  },
  // jose 6 ships ESM only: transpile it to CommonJS for jest like our own sources.
  transformIgnorePatterns: ['/node_modules/(?!jose/)'],
  // A guard against hangs, not a performance assertion: generous enough for a loaded 2-core CI machine.
  testTimeout: 120000,
  // Two workers on CI's 2 cores: most of the suite waits on terraform and moto_server subprocesses,
  // so a second worker keeps the whole run under 20 minutes (one worker: about 22).
  maxWorkers: 2,
};
