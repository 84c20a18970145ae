/**
 * `npm run test:crash`: the tests that SIGKILL whole servers with their embedded PostgreSQL
 * (test/crash). Slow, so `npm test` leaves them out; they start their own databases, so the
 * shared PostgreSQL and Dovecot of the global setup are not needed.
 */
import base from './jest.config.js';

export default {
  ...base,
  testMatch: ['<rootDir>/test/crash/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/'],
  globalSetup: undefined,
  globalTeardown: undefined,
  testTimeout: 900000,
};
