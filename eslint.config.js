import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'coverage/**', 'widget/dist/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', globalThis: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Configuration is read in one place only (style.md).
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'read configuration through server/infra/config/config.ts' }],
    },
  },
  {
    files: ['server/infra/config/**', 'test/**', 'bench/**', 'jest.config.js', '**/__tests__/**', 'server/sandbox/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
