/** Jest runs the TypeScript sources as ESM (Agenda 6 is ESM-only: platform-notes.md). */
export default {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: 'tsconfig.json' }],
  },
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/server/**/*.test.ts'],
  // Whole-server power cuts run apart: `npm run test:crash` (jest.crash.config.js).
  testPathIgnorePatterns: ['/node_modules/', '<rootDir>/test/crash/'],
  globalSetup: '<rootDir>/test/support/global-setup.js',
  globalTeardown: '<rootDir>/test/support/global-teardown.js',
  testTimeout: 30000,
};
